/**
 * Tessera as a Fastify plugin: `await app.register(tessera, { site, catalog, settings })`.
 * Its hooks apply to the whole app (the plugin is not encapsulated, as
 * fastify-plugin would mark it): `onRequest` answers `/collect`,
 * `/tessera.js` and `/privacy/me` before routing and body parsing (so
 * `/collect` takes the beacon's text/plain body as it is), and `onSend`
 * personalizes the HTML pages routes send. Node only: the lol-html (wasm)
 * HTMLRewriter.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { Engine } from '../../core/engine.js';
import { joinChunks, type Reply, replyHeaderLines } from '../../core/http/reply.js';
import { requestLogger } from '../../core/request-logger.js';
import { requestIdOf } from '../../observe/request-id.js';
import { createNodeRewriter } from '../../runtimes/node/html-rewriter.js';
import { NodeRequest } from '../../runtimes/node/request.js';
import { createTesseraMiddleware, type TesseraMiddlewareOptions } from '../middleware.js';
import { builtCollector } from '../node-collector.js';
import { isPersonalizable } from '../page-headers.js';

export type { TesseraMiddlewareOptions } from '../middleware.js';

/** The few parts of Fastify's types the plugin touches (Fastify itself is not imported into the build). */
interface FastifyReplyLike {
  statusCode: number;
  code(status: number): FastifyReplyLike;
  header(name: string, value: string | string[]): FastifyReplyLike;
  getHeader(name: string): unknown;
  getHeaders(): Record<string, unknown>;
  removeHeader(name: string): FastifyReplyLike;
  send(payload?: unknown): FastifyReplyLike;
}
interface FastifyRequestLike {
  raw: IncomingMessage;
  method: string;
  /** Fastify's request id (`genReqId`), which its own log lines carry as `reqId`. */
  id?: unknown;
}
interface FastifyInstanceLike {
  addHook(
    name: 'onRequest',
    hook: (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<unknown>,
  ): unknown;
  addHook(
    name: 'onSend',
    hook: (request: FastifyRequestLike, reply: FastifyReplyLike, payload: unknown) => Promise<unknown>,
  ): unknown;
  decorate(name: string, value: unknown): unknown;
}

export type TesseraFastify = ((
  app: FastifyInstanceLike,
  options: TesseraMiddlewareOptions,
) => Promise<void>) & {
  [key: symbol]: boolean;
};

/** The request object Tessera saw for a Fastify request (its page's origin is found by it). */
const requests = new WeakMap<IncomingMessage, NodeRequest>();

export const tessera: TesseraFastify = Object.assign(
  async (app: FastifyInstanceLike, options: TesseraMiddlewareOptions): Promise<void> => {
    const t = createTesseraMiddleware({
      collector: builtCollector(),
      ...options,
      ports: { rewriter: createNodeRewriter, ...options.ports },
    });
    const engine: Engine = await t.engine();
    const max = engine.settings.maxBodyBytes;
    app.decorate('tessera', engine);
    const requestOf = (request: FastifyRequestLike): NodeRequest => {
      let r = requests.get(request.raw);
      if (!r) {
        // Fastify's own id, so Tessera's log lines and Fastify's name a request alike; when it is
        // not a plain token, the proxy's X-Request-Id or a minted one (as the Node server does).
        const own = request.id;
        const id = requestIdOf(
          typeof own === 'string' || typeof own === 'number'
            ? String(own)
            : request.raw.headers['x-request-id'],
        );
        r = new NodeRequest(request.raw, max, id);
        requests.set(request.raw, r);
      }
      return r;
    };

    app.addHook('onRequest', async (request, reply) => {
      const req = requestOf(request);
      if (!t.owns(req)) return;
      const answer = await t.serve(req);
      setReply(reply, answer);
      return reply.send(bodyOf(answer, request.method === 'HEAD'));
    });

    app.addHook('onSend', async (request, reply, payload) => {
      const type = reply.getHeader('content-type');
      const encoding = reply.getHeader('content-encoding');
      if (
        !isPersonalizable(
          request.method,
          reply.statusCode,
          typeof type === 'string' ? type : undefined,
          typeof encoding === 'string' ? encoding : undefined,
        )
      )
        return payload;
      const html = await textOf(payload);
      const headers: Array<[string, string]> = [];
      let cookies: string[] = [];
      for (const [name, value] of Object.entries(reply.getHeaders())) {
        if (value === undefined) continue;
        if (name === 'set-cookie') cookies = Array.isArray(value) ? value.map(String) : [String(value)];
        else headers.push([name, Array.isArray(value) ? value.join(', ') : String(value)]);
      }
      const req = requestOf(request);
      try {
        const answer = await t.personalize(req, html, headers, cookies);
        for (const name of Object.keys(reply.getHeaders())) reply.removeHeader(name);
        setReply(reply, answer);
        return bodyOf(answer, false);
      } catch (e) {
        // Failing open: the page as the route rendered it.
        requestLogger(engine.logger, req.requestId).error('[tessera] [fastify] page not personalized', {
          error: String(e),
        });
        return html;
      }
    });
  },
  // What fastify-plugin sets: the hooks belong to the app, not to an encapsulated child.
  { [Symbol.for('skip-override')]: true },
);

function setReply(reply: FastifyReplyLike, answer: Reply): void {
  reply.code(answer.status);
  const lines = replyHeaderLines(answer);
  const cookies: string[] = [];
  for (let i = 0; i < lines.length; i += 2) {
    if (lines[i] === 'set-cookie') cookies.push(lines[i + 1]!);
    else reply.header(lines[i]!, lines[i + 1]!);
  }
  if (cookies.length > 0) reply.header('set-cookie', cookies);
}

function bodyOf(answer: Reply, head: boolean): string | Buffer | Readable | undefined {
  const body = answer.body;
  if (body === null || head) return undefined;
  if (typeof body === 'string') return body;
  if (Array.isArray(body)) return Buffer.from(joinChunks(body));
  if (body instanceof Uint8Array) return Buffer.from(body);
  return Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>);
}

async function textOf(payload: unknown): Promise<string> {
  if (typeof payload === 'string') return payload;
  if (Buffer.isBuffer(payload)) return payload.toString('utf8');
  if (payload instanceof Readable) {
    const chunks: Buffer[] = [];
    for await (const c of payload) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
    return Buffer.concat(chunks).toString('utf8');
  }
  return String(payload ?? '');
}
