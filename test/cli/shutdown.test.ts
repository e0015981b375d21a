/**
 * Shutdown with a request that never finishes: `close()` waits for requests
 * in flight only for its grace period, then closes their connections and goes
 * on to flush and close the stores; `tessera serve` exits 0 after that, and
 * at once (1) on a second SIGTERM.
 */
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createNodeApp } from '../../src/runtimes/node/app.js';
import { consoleLogger } from '../../src/runtimes/node/logger.js';
import { ended, startCli, tempDirs } from './cli-process.js';

const dataDir = tempDirs('tessera-shutdown-');

/** A `/collect` whose body never arrives: its head and ten of the thousand bytes it announces. */
function stalledCollect(base: string): Promise<{ socket: Socket; closed: Promise<void> }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `POST /collect HTTP/1.1\r\nhost: ${hostname}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"events":`,
      );
      const closed = new Promise<void>((r) => socket.once('close', () => r()));
      // Give the server the head before the test goes on.
      setTimeout(() => resolve({ socket, closed }), 100);
    });
    socket.once('error', reject);
  });
}

/** A Node app on the memory store, listening, with this grace period; what it logs at `warn` goes to `lines`. */
async function appWithGrace(shutdownGraceMs: number, lines: string[] = []) {
  const app = await createNodeApp({
    dataDir: dataDir(),
    store: 'memory:',
    secret: 'shutdown-secret-shutdown-secret-00000000',
    retrainMs: 0,
    modelPollMs: 0,
    shutdownGraceMs,
    logger: consoleLogger('warn', { write: (line) => lines.push(line) }),
  });
  return { app, base: `http://127.0.0.1:${await app.listen(0)}` };
}

describe('shutdown with a request in flight', () => {
  it('close() ends it after the grace period and says so', async () => {
    const lines: string[] = [];
    const { app, base } = await appWithGrace(300, lines);
    const stalled = await stalledCollect(base);
    const t0 = Date.now();
    // Without the bound this waits for Node's requestTimeout (30 s), past the test's timeout.
    await app.close();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(Date.now() - t0).toBeLessThan(10_000);
    await stalled.closed;
    expect(lines.join('\n')).toContain('requests still in flight after 300 ms');
  });

  it('close() waits for a request that finishes within the grace period', async () => {
    const { app, base } = await appWithGrace(5000);
    const stalled = await stalledCollect(base);
    const closing = app.close();
    // The rest of the body arrives after close() began: the request is still answered.
    const answer = new Promise<string>((r) => {
      let text = '';
      stalled.socket.on('data', (d) => {
        text += d.toString();
      });
      stalled.socket.once('close', () => r(text));
    });
    stalled.socket.end(`[]}${' '.repeat(1000 - 13)}`);
    await closing;
    expect(await answer).toMatch(/^HTTP\/1\.1 \d{3} /);
  });

  it('tessera serve exits 0 after the flush, and at once with 1 on a second SIGTERM', async () => {
    const first = await startCli(['serve', '--port', '0', '--data-dir', dataDir()]);
    first.proc.kill('SIGTERM');
    expect(await ended(first)).toEqual({ how: '0', output: expect.any(String) });

    const second = await startCli(['serve', '--port', '0', '--data-dir', dataDir()]);
    const stalled = await stalledCollect(second.base);
    second.proc.kill('SIGTERM');
    // The stalled request holds the shutdown (grace 10 s by default).
    await new Promise((r) => setTimeout(r, 500));
    expect(second.proc.exitCode).toBeNull();
    second.proc.kill('SIGTERM');
    expect(await ended(second)).toEqual({ how: '1', output: expect.stringContaining('SIGTERM again') });
    stalled.socket.destroy();
  }, 40_000);

  it('tessera serve --shutdown-grace-ms: the stalled request is cut after it, then the node exits 0', async () => {
    const cli = await startCli([
      'serve',
      '--port',
      '0',
      '--data-dir',
      dataDir(),
      '--shutdown-grace-ms',
      '300',
    ]);
    const stalled = await stalledCollect(cli.base);
    const t0 = Date.now();
    cli.proc.kill('SIGTERM');
    expect(await ended(cli)).toEqual({
      how: '0',
      output: expect.stringContaining('requests still in flight after 300 ms'),
    });
    expect(Date.now() - t0).toBeLessThan(9_000);
    await stalled.closed;
  }, 40_000);
});
