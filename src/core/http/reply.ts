/**
 * What a handler returns: a plain object the Node runtime writes straight to
 * the socket, and that `toResponse` turns into a Web `Response` for fetch
 * runtimes. Building undici Response objects on Node costs more than the
 * decision itself, so the fast path avoids them.
 * @module
 */
import type { TesseraError } from '../errors.js';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  /** Full Set-Cookie lines. */
  cookies: string[];
  body: string | Uint8Array | ReadableStream<Uint8Array> | null;
}

export function jsonReply(status: number, data: unknown, cookies: string[] = []): Reply {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    cookies,
    body: JSON.stringify(data),
  };
}

export function errorReply(err: TesseraError): Reply {
  return jsonReply(err.status, err.toJSON());
}

export function toResponse(reply: Reply): Response {
  const headers = new Headers(reply.headers);
  for (const c of reply.cookies) headers.append('set-cookie', c);
  const body = reply.status === 204 || reply.status === 304 ? null : reply.body;
  return new Response(body as BodyInit | null, { status: reply.status, headers });
}
