/**
 * The Node HTTP server: hands each request to the engine and writes the
 * reply. Adds nothing to the decision logic.
 * @module
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { Engine } from '../../core/engine.js';
import type { Reply } from '../../core/http/reply.js';
import { NodeRequest } from './request.js';

export function writeReply(res: ServerResponse, reply: Reply, head: boolean): void {
  const headers: Record<string, string | string[]> = reply.headers;
  if (reply.cookies.length) headers['set-cookie'] = reply.cookies;
  const body = reply.body;
  if (body === null || head) {
    res.writeHead(reply.status, headers);
    res.end();
    return;
  }
  if (Array.isArray(body) || typeof body === 'string' || body instanceof Uint8Array) {
    // One buffer, one write: the static parts arrive already encoded.
    const bytes = Array.isArray(body)
      ? concatChunks(body)
      : typeof body === 'string'
        ? Buffer.from(body)
        : body;
    headers['content-length'] = String(bytes.byteLength);
    res.writeHead(reply.status, headers);
    res.end(bytes);
    return;
  }
  res.writeHead(reply.status, headers);
  const reader = body.getReader();
  const pump = (): void => {
    reader.read().then(
      ({ done, value }) => {
        if (done) return void res.end();
        if (res.write(value)) pump();
        else res.once('drain', pump);
      },
      (e) => res.destroy(e as Error),
    );
  };
  pump();
}

function concatChunks(chunks: Array<string | Uint8Array>): Buffer {
  return Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
}

export function createNodeServer(engine: Engine): Server {
  const max = engine.state.settings.maxBodyBytes;
  const server = createServer((req, res) => {
    const nreq = new NodeRequest(req, max);
    engine.handle(nreq).then(
      (reply) => writeReply(res, reply, req.method === 'HEAD'),
      () => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"error":"[tessera] internal error","status":500}');
      },
    );
  });
  // Slow or oversized headers must not hold the node hostage.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.maxHeadersCount = 100;
  return server;
}

export function listen(server: Server, port: number, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}
