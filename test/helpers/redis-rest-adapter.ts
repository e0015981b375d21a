/**
 * A small loopback server that speaks the Upstash REST protocol (`POST /`
 * with a JSON command array, Bearer token, `{ result }` / `{ error }`) in
 * front of the real local Redis, for drivers and runtimes that reach Redis
 * over HTTP. Test-only: it forwards every command as is, and also serves
 * `GET /model` (the shop's model artifact) for runtimes without a disk.
 * @module
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { REDIS_URL, requireRedis } from './services.js';

export interface RedisRestAdapter {
  url: string;
  token: string;
  /** Commands answered so far. */
  commands: number;
  close(): Promise<void>;
}

export async function startRedisRestAdapter(o: { model?: ArrayBuffer } = {}): Promise<RedisRestAdapter> {
  await requireRedis();
  const redis = new Redis(REDIS_URL);
  const token = `test-${Math.random().toString(36).slice(2)}`;
  const state = { commands: 0 };
  const server = createServer(async (req, res) => {
    if (req.method === 'GET' && req.url === '/model' && o.model) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.from(o.model));
      return;
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const reply = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.headers.authorization !== `Bearer ${token}`) return reply(401, { error: 'Unauthorized' });
    let args: string[];
    try {
      args = JSON.parse(Buffer.concat(chunks).toString('utf8')) as string[];
    } catch {
      return reply(400, { error: 'ERR body is not a JSON command array' });
    }
    try {
      state.commands++;
      const [name, ...rest] = args;
      reply(200, { result: await redis.call(name!, ...rest) });
    } catch (e) {
      reply(400, { error: (e as Error).message });
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    get commands() {
      return state.commands;
    },
    async close() {
      await new Promise((r) => server.close(r));
      redis.disconnect();
    },
  };
}
