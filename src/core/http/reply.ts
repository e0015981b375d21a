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
  /** A list of chunks is sent in order as one body (pre-encoded static parts with strings between). */
  body: string | Uint8Array | Array<string | Uint8Array> | ReadableStream<Uint8Array> | null;
}

const utf8 = new TextEncoder();

/** Join chunks into one byte array. */
export function joinChunks(chunks: Array<string | Uint8Array>): Uint8Array {
  const bytes = chunks.map((c) => (typeof c === 'string' ? utf8.encode(c) : c));
  let size = 0;
  for (const b of bytes) size += b.byteLength;
  const out = new Uint8Array(size);
  let at = 0;
  for (const b of bytes) {
    out.set(b, at);
    at += b.byteLength;
  }
  return out;
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
  const raw = reply.status === 204 || reply.status === 304 ? null : reply.body;
  const body = Array.isArray(raw) ? joinChunks(raw) : raw;
  return new Response(body as BodyInit | null, { status: reply.status, headers });
}
