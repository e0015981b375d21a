/**
 * The Node HTTP server: hands each request to the engine and writes the
 * reply. Adds nothing to the decision logic. Whatever goes wrong while a
 * reply is written is logged and answered 500 (or, once the head is out,
 * the connection is closed): a request can never take the process down.
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Engine } from '../../core/engine.js';
import { type Reply, replyHeaderLines } from '../../core/http/reply.js';
import type { Logger } from '../../core/ports.js';
import { requestLogger } from '../../core/request-logger.js';
import { requestIdOf } from '../../observe/request-id.js';
import { createRefusals, type RefusalOptions, type Refusals } from './refusals.js';
import { NodeRequest } from './request.js';

/**
 * Writes the reply in one `writeHead` and one `end`. The request id goes in
 * with the other headers: a header set on `res` beforehand would send Node
 * down its slow path, re-validating every header one `setHeader` at a time.
 */
export function writeReply(
  res: ServerResponse,
  reply: Reply,
  head: boolean,
  requestId?: string,
  close = false,
): void {
  const headers = replyHeaderLines(reply);
  if (requestId !== undefined) setLine(headers, 'x-request-id', requestId);
  if (close) setLine(headers, 'connection', 'close');
  const body = reply.body;
  if (body === null || head) {
    res.writeHead(reply.status, headers);
    res.end();
    return;
  }
  if (typeof body === 'string') {
    // Node sends a string body with the head as one string, in one write (no writev, no Buffer made here).
    setLine(headers, 'content-length', String(Buffer.byteLength(body)));
    res.writeHead(reply.status, headers);
    res.end(body);
    return;
  }
  if (Array.isArray(body) || body instanceof Uint8Array) {
    // One buffer, one write: the static parts arrive already encoded.
    const bytes = Array.isArray(body) ? concatChunks(body) : body;
    setLine(headers, 'content-length', String(bytes.byteLength));
    res.writeHead(reply.status, headers);
    res.end(bytes);
    return;
  }
  res.writeHead(reply.status, headers);
  const reader = body.getReader();
  // A client that leaves mid-body releases the stream instead of leaving it waiting for 'drain'.
  res.once('close', () => void reader.cancel().catch(() => {}));
  const pump = (): void => {
    reader
      .read()
      .then(({ done, value }) => {
        if (done) return void res.end();
        if (res.write(value)) pump();
        else res.once('drain', pump);
      })
      .catch((e: unknown) => res.destroy(e instanceof Error ? e : new Error(String(e))));
  };
  pump();
}

/** Sets a header in flat lines, replacing the reply's own line of that name. */
function setLine(lines: string[], name: string, value: string): void {
  for (let i = 0; i < lines.length; i += 2) {
    if (lines[i] === name) {
      lines[i + 1] = value;
      return;
    }
  }
  lines.push(name, value);
}

/**
 * The body in one buffer, sized first and filled in place: strings are
 * written straight into it, with no buffer per piece and no list to concat.
 */
function concatChunks(chunks: Array<string | Uint8Array>): Buffer {
  let size = 0;
  for (const c of chunks) size += typeof c === 'string' ? Buffer.byteLength(c) : c.byteLength;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const c of chunks) {
    if (typeof c === 'string') at += out.write(c, at);
    else {
      out.set(c, at);
      at += c.byteLength;
    }
  }
  return out;
}

const INTERNAL_ERROR = '{"error":"[tessera] internal error","status":500}';

/** After a failure: a clean 500 while the head is not out yet, else close the connection. */
function fail(res: ServerResponse, e: unknown, logger: Logger, requestId: string): void {
  requestLogger(logger, requestId).error('[tessera] [node] reply failed', {
    error: String(e),
    stack: (e as Error)?.stack,
  });
  if (res.headersSent || res.writableEnded) {
    res.destroy();
    return;
  }
  try {
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    res.writeHead(500, {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'content-length': String(INTERNAL_ERROR.length),
      'x-request-id': requestId,
    });
    res.end(INTERNAL_ERROR);
  } catch {
    res.destroy();
  }
}

/** One request: the engine's reply written, or a failure answered; never a rejection left behind. */
function respond(
  engine: Engine,
  req: IncomingMessage,
  res: ServerResponse,
  maxBodyBytes: number,
  id: string,
  refusals: Refusals,
) {
  const head = req.method === 'HEAD';
  const failed = (e: unknown) => fail(res, e, engine.logger, id);
  try {
    const request = new NodeRequest(req, maxBodyBytes, id);
    engine.handle(request).then((reply) => {
      try {
        if (reply.status < 400) return writeReply(res, reply, head, id);
        const close = refusals.closeInstead(req, reply, request.bodyRead);
        const holdMs = refusals.holdMs(req.socket, reply, Date.now());
        if (holdMs <= 0) return writeReply(res, reply, head, id, close);
        holdBack(res, refusals, holdMs, () => writeReply(res, reply, head, id, close), failed);
      } catch (e) {
        failed(e);
      }
    }, failed);
  } catch (e) {
    failed(e);
  }
}

/** Writes a refusal after `ms`, unless the client left meanwhile. */
function holdBack(
  res: ServerResponse,
  refusals: Refusals,
  ms: number,
  write: () => void,
  failed: (e: unknown) => void,
): void {
  const release = refusals.hold();
  const timer = setTimeout(() => {
    release();
    if (res.destroyed || res.writableEnded) return;
    try {
      write();
    } catch (e) {
      failed(e);
    }
  }, ms);
  // A held refusal keeps neither the process nor its count alive once the client is gone.
  timer.unref();
  res.once('close', () => {
    clearTimeout(timer);
    release();
  });
}

export interface NodeServerOptions {
  /** How refusals are answered: held back for clients that ignore `Retry-After` (see refusals.ts). */
  refusals?: RefusalOptions;
}

export function createNodeServer(engine: Engine, opts: NodeServerOptions = {}): Server {
  const max = engine.settings.maxBodyBytes;
  const refusals = createRefusals(opts.refusals);
  const server = createServer((req, res) => {
    // One id per request, echoed to the client; the engine puts it on every log line of the request.
    const id = requestIdOf(req.headers['x-request-id']);
    respond(engine, req, res, max, id, refusals);
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
