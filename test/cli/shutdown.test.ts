/**
 * Shutdown with a request that never finishes: `close()` waits for requests
 * in flight only for its grace period, then closes their connections and goes
 * on to flush and close the stores; `tessera serve` exits 0 after that, and
 * at once (1) on a second SIGTERM.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createNodeApp } from '../../src/runtimes/node/app.js';
import { consoleLogger } from '../../src/runtimes/node/logger.js';
import { startCli } from './cli-process.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tessera-shutdown-'));
  dirs.push(d);
  return d;
}

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

const exited = (p: import('node:child_process').ChildProcess) =>
  new Promise<number | null>((r) =>
    p.exitCode !== null ? r(p.exitCode) : p.once('exit', (code) => r(code)),
  );

describe('shutdown with a request in flight', () => {
  it('close() ends it after the grace period and says so', async () => {
    const lines: string[] = [];
    const app = await createNodeApp({
      dataDir: dataDir(),
      store: 'memory:',
      secret: 'shutdown-secret-shutdown-secret-00000000',
      retrainMs: 0,
      modelPollMs: 0,
      shutdownGraceMs: 300,
      logger: consoleLogger('warn', { write: (line) => lines.push(line) }),
    });
    const base = `http://127.0.0.1:${await app.listen(0)}`;
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
    const app = await createNodeApp({
      dataDir: dataDir(),
      store: 'memory:',
      secret: 'shutdown-secret-shutdown-secret-00000000',
      retrainMs: 0,
      modelPollMs: 0,
      shutdownGraceMs: 5000,
      logger: consoleLogger('error'),
    });
    const base = `http://127.0.0.1:${await app.listen(0)}`;
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
    expect(await exited(first.proc)).toBe(0);

    const second = await startCli(['serve', '--port', '0', '--data-dir', dataDir()]);
    const stalled = await stalledCollect(second.base);
    second.proc.kill('SIGTERM');
    // The stalled request holds the shutdown (grace 10 s by default).
    await new Promise((r) => setTimeout(r, 500));
    expect(second.proc.exitCode).toBeNull();
    second.proc.kill('SIGTERM');
    expect(await exited(second.proc)).toBe(1);
    expect(second.output.join('')).toContain('SIGTERM again');
    stalled.socket.destroy();
  }, 40_000);
});
