import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const guards = fileURLToPath(new URL('./process-guards.ts', import.meta.url));

/** A child process that throws from a timer and leaves a rejection unhandled, then says whether it lived. */
function run(guarded: boolean) {
  const script = `
    import { createServer } from 'node:http';
    import { guardProcess } from ${JSON.stringify(guards)};
    import { consoleLogger } from ${JSON.stringify(guards.replace('process-guards.ts', 'logger.ts'))};
    if (${guarded}) guardProcess(consoleLogger('error'));
    const server = createServer((req, res) => {
      if (req.url === '/throw') throw new Error('boom in a listener');
      res.end('ok');
    }).listen(0, '127.0.0.1', async () => {
      const base = 'http://127.0.0.1:' + server.address().port;
      setTimeout(() => { throw new Error('boom in a timer'); }, 0);
      Promise.reject(new Error('boom nobody awaited'));
      await fetch(base + '/throw', { signal: AbortSignal.timeout(300) }).catch(() => {});
      const res = await fetch(base + '/ok');
      console.log('still serving: ' + (await res.text()));
      process.exit(0);
    });
  `;
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('process guards', () => {
  it('log what escaped every handler and keep the node serving', () => {
    const r = run(true);
    expect(r.stdout).toContain('still serving: ok');
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('[tessera] [node] uncaught exception, still serving');
    expect(r.stderr).toContain('boom in a timer');
    expect(r.stderr).toContain('boom in a listener');
    expect(r.stderr).toContain('[tessera] [node] unhandled rejection, still serving');
    expect(r.stderr).toContain('boom nobody awaited');
  });

  it('are what keeps it alive: without them the same errors end the process', () => {
    const r = run(false);
    expect(r.stdout).not.toContain('still serving');
    expect(r.status).not.toBe(0);
  });
});
