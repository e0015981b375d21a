/**
 * Reconnect behaviour against a redis-server of the test's own, on a spare
 * port, so it can be stopped and started again freely.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openRedis } from './redis.js';
import { DependencyDownError } from './status.js';

async function sparePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const running: ChildProcess[] = [];

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  running.push(child);
  await new Promise<void>((resolve, reject) => {
    child.once('error', (e) =>
      reject(new Error('redis-server is not installed: apt-get install redis-server', { cause: e })),
    );
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('Ready to accept connections')) resolve();
    });
  });
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map(stop));
});

describe('redis connection', () => {
  it('goes down when the server dies, fails fast meanwhile, and comes back by itself', async () => {
    const port = await sparePort();
    const server = await startRedis(port);
    const conn = await openRedis({ url: `redis://127.0.0.1:${port}` });
    const seen: string[] = [];
    conn.onStatus((s) => seen.push(s));
    expect(conn.status()).toBe('ready');
    expect(await conn.run('ping', (c) => c.call('PING'))).toBe('PONG');

    await stop(server);
    await vi.waitFor(() => expect(conn.status()).toBe('down'), { timeout: 5000 });
    const error = await conn.run('ping', (c) => c.call('PING')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DependencyDownError);
    expect((error as Error).message).toBe(`[tessera] [redis] connection refused (127.0.0.1:${port})`);

    await startRedis(port);
    await vi.waitFor(() => expect(conn.status()).toBe('ready'), { timeout: 10_000 });
    expect(await conn.run('ping', (c) => c.call('PING'))).toBe('PONG');
    expect(seen).toEqual(expect.arrayContaining(['down', 'ready']));
    await conn.close();
    expect(conn.status()).toBe('down');
  });

  it('rejects an operation after close with a closed error, not a hang', async () => {
    const port = await sparePort();
    await startRedis(port);
    const conn = await openRedis({ url: `redis://127.0.0.1:${port}` });
    await conn.close();
    await expect(conn.run('ping', (c) => c.call('PING'))).rejects.toThrow(
      '[tessera] [redis] connection closed',
    );
  });
});
