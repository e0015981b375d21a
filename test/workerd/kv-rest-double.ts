/**
 * A loopback stand-in for the part of Cloudflare's REST API that `wrangler kv
 * key get|put` (and `cloudflare-kv://` model stores) call, over a Miniflare
 * KV namespace: so the CLI, pointed at it with `TESSERA_CLOUDFLARE_API`, moves
 * the registry the Worker's isolates read. It answers what the real API
 * answers for these calls (raw value bytes, 404 for a missing key, a JSON
 * envelope for writes); it is a double of the API's shape, not Cloudflare.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KVNamespaceLike } from '../../src/connections/cloudflare-bindings.js';

export interface KvRestDouble {
  api: string;
  close(): Promise<void>;
}

const envelope = (success: boolean, errors: Array<{ code: number; message: string }> = []) =>
  JSON.stringify({ success, errors, messages: [], result: null });

export async function startKvRestDouble(
  kv: KVNamespaceLike,
  o: { account: string; namespace: string; token: string },
): Promise<KvRestDouble> {
  const prefix = `/client/v4/accounts/${o.account}/storage/kv/namespaces/${o.namespace}/values/`;
  const server: Server = createServer(async (req, res) => {
    const reply = (status: number, body: string | Uint8Array, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (req.headers.authorization !== `Bearer ${o.token}`)
      return reply(403, envelope(false, [{ code: 10000, message: 'Authentication error' }]));
    const path = req.url?.split('?')[0] ?? '';
    if (!path.startsWith(prefix)) return reply(404, envelope(false, [{ code: 7003, message: 'No route' }]));
    const key = decodeURIComponent(path.slice(prefix.length));
    if (req.method === 'GET') {
      const value = await kv.get(key, 'arrayBuffer');
      if (value === null)
        return reply(404, envelope(false, [{ code: 10009, message: 'get: key not found' }]));
      return reply(200, new Uint8Array(value), 'application/octet-stream');
    }
    if (req.method === 'PUT') {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = Buffer.concat(chunks);
      await kv.put(key, body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer);
      return reply(200, envelope(true));
    }
    return reply(405, envelope(false, [{ code: 10000, message: 'method not allowed' }]));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    api: `http://127.0.0.1:${port}/client/v4`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
