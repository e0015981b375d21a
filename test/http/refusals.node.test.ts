/**
 * How the Node server writes refusals, over a real socket: a connection that
 * keeps posting through its 429s gets its next ones held back; a refused
 * request with a large unread body closes its connection instead of being
 * read; a client that waits is answered at once.
 */
import { Agent, request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/core/engine.js';
import { jsonReply } from '../../src/core/http/reply.js';
import { createNodeServer, listen } from '../../src/runtimes/node/server.js';

const HOLD_MS = 300;
let port = 0;
let close: () => Promise<void> = async () => {};

beforeAll(async () => {
  const engine = {
    settings: { maxBodyBytes: 1024 },
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    // Every batch refused, as a flood's would be, without reading its body.
    handle: async () => {
      const reply = jsonReply(429, { error: 'too many', status: 429 });
      reply.headers['retry-after'] = '1';
      return reply;
    },
  } as unknown as Engine;
  const server = createNodeServer(engine, { refusals: { maxHoldMs: HOLD_MS } });
  port = await listen(server, 0);
  close = () =>
    new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
});
afterAll(() => close());

function post(agent: Agent, body: string): Promise<{ ms: number; status: number; connection: string }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { port, path: '/collect', method: 'POST', agent, headers: { 'content-length': String(body.length) } },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({
            ms: performance.now() - t0,
            status: res.statusCode ?? 0,
            connection: String(res.headers.connection),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('refusals over HTTP', () => {
  it('holds the refusals of a connection that ignores Retry-After, and only those', async () => {
    const flooder = new Agent({ keepAlive: true, maxSockets: 1 });
    const times: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await post(flooder, '{"events":[]}');
      expect(r.status).toBe(429);
      times.push(r.ms);
    }
    // Four answered at once, then held (a loaded machine may be slow, never early).
    for (const ms of times.slice(0, 4)) expect(ms).toBeLessThan(HOLD_MS);
    for (const ms of times.slice(4)) expect(ms).toBeGreaterThanOrEqual(HOLD_MS - 20);
    // Another connection from the same address is not held for it.
    const other = new Agent({ keepAlive: true, maxSockets: 1 });
    expect((await post(other, '{"events":[]}')).ms).toBeLessThan(HOLD_MS);
    flooder.destroy();
    other.destroy();
  });

  it('closes the connection rather than read a large refused body, and keeps it for a small one', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    expect((await post(agent, 'x'.repeat(2 * 1024 * 1024))).connection).toBe('close');
    expect((await post(agent, 'x'.repeat(70_000))).connection).toBe('keep-alive');
    agent.destroy();
  });
});
