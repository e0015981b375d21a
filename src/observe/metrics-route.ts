/**
 * `/metrics`: the Prometheus text, on the node's own port for a bearer token
 * with `read:metrics` (401 without a known token, 403 without the scope), or
 * without a token on a separate listen address (`--metrics-port`, loopback
 * by default) that only the scraper can reach.
 * @module
 */
import { createServer, type Server } from 'node:http';
import { type AdminAuth, authorizeAdmin, bearerToken } from '../admin/auth.js';
import type { EngineRoute } from '../core/engine-api.js';
import { TesseraError } from '../core/errors.js';
import { errorReply, type Reply } from '../core/http/reply.js';
import type { Metrics } from './metrics.js';

async function metricsReply(metrics: Metrics): Promise<Reply> {
  return {
    status: 200,
    headers: {
      'content-type': metrics.contentType,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
    cookies: [],
    body: await metrics.text(),
  };
}

function notGet(method: string): Reply | undefined {
  if (method === 'GET' || method === 'HEAD') return undefined;
  const reply = errorReply(new TesseraError(405, '[tessera] [metrics] /metrics answers GET and HEAD'));
  reply.headers.allow = 'GET, HEAD';
  return reply;
}

/** The `/metrics` route on the node's port, behind a `read:metrics` token. */
export function metricsRoute(metrics: Metrics, auth: AdminAuth): EngineRoute {
  return {
    prefix: '/metrics',
    async handle(req, _ctx, path) {
      if (path !== '/metrics') throw new TesseraError(404, '[tessera] [metrics] no such route');
      const refused = notGet(req.method);
      if (refused) return refused;
      await authorizeAdmin(auth, bearerToken(req), 'read:metrics');
      return metricsReply(metrics);
    },
  };
}

/** A listener that serves only `GET /metrics`, without a token. Resolves to the bound port. */
export function serveMetrics(
  metrics: Metrics,
  port: number,
  host = '127.0.0.1',
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply: Promise<Reply> =
      path !== '/metrics'
        ? Promise.resolve(errorReply(new TesseraError(404, '[tessera] [metrics] only /metrics here')))
        : Promise.resolve(notGet(req.method ?? 'GET') ?? metricsReply(metrics));
    reply.then(
      (r) => {
        res.writeHead(r.status, r.headers);
        res.end(req.method === 'HEAD' ? undefined : (r.body as string));
      },
      (e: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`[tessera] [metrics] ${String(e)}`);
      },
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const addr = server.address();
      resolve({ server, port: typeof addr === 'object' && addr ? addr.port : port });
    });
  });
}
