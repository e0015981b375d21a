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
  /**
   * The header lines of `headers` (without the cookies), already checked, when the reply has them
   * ready (a page's, page-reply.ts); undefined when they must be built from `headers`.
   */
  readyLines?(): string[] | undefined;
}

const utf8 = new TextEncoder();

/**
 * Join chunks into one byte array, strings encoded in place (`encodeInto`).
 * Sized for one byte per character first (pages are mostly ASCII); when a
 * string does not fit, sized again for the worst case, three bytes per
 * UTF-16 code unit.
 */
export function joinChunks(chunks: Array<string | Uint8Array>): Uint8Array {
  return fillChunks(chunks, 1) ?? (fillChunks(chunks, 3) as Uint8Array);
}

function fillChunks(chunks: Array<string | Uint8Array>, bytesPerChar: number): Uint8Array | undefined {
  let size = 0;
  for (const c of chunks) size += typeof c === 'string' ? c.length * bytesPerChar : c.byteLength;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    if (typeof c === 'string') {
      const r = utf8.encodeInto(c, out.subarray(at));
      if (r.read < c.length) return undefined;
      at += r.written;
    } else {
      out.set(c, at);
      at += c.byteLength;
    }
  }
  return at === size ? out : out.subarray(0, at);
}

const MARKUP = /[<>&\u2028\u2029]/g;
const JSON_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/**
 * A JSON reply. `nosniff` and the escaped `<`, `>`, `&` keep a message that
 * quotes request data (a path, an event type) from ever being read as HTML.
 */
export function jsonReply(status: number, data: unknown, cookies: string[] = []): Reply {
  return {
    status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
    cookies,
    body: (JSON.stringify(data) ?? 'null').replace(MARKUP, (c) => JSON_ESCAPES[c] ?? c),
  };
}

/** Control characters (C0, DEL, C1, line and paragraph separators) a message may quote from a request. */
const CONTROL = /[\p{Cc}\u2028\u2029]/gu;

/**
 * The JSON reply for an error. Messages may quote what a client sent (a
 * path, a method, an id); its control characters are percent-encoded so a
 * client or a log that prints the message shows them, not obeys them.
 */
export function errorReply(err: TesseraError): Reply {
  const error = err.message.replace(CONTROL, (c) => encodeURIComponent(c));
  return jsonReply(err.status, { error, status: err.status });
}

/** A header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** What a header value may hold as it is: tab and printable ASCII. */
const HEADER_VALUE = /^[\t\x20-\x7e]*$/;
const HEADER_VALUE_UNSAFE = /[^\t\x20-\x7e]/gu;

/** Whether `value` may go out as a header value as it is (tab and printable ASCII only). */
export function isSafeHeaderValue(value: string): boolean {
  return HEADER_VALUE.test(value);
}

/** A header value with every character outside tab and printable ASCII percent-encoded (UTF-8). */
export function safeHeaderValue(value: string): string {
  if (isSafeHeaderValue(value)) return value;
  return value.replace(HEADER_VALUE_UNSAFE, (c) => {
    try {
      return encodeURIComponent(c);
    } catch {
      return '%EF%BF%BD'; // a lone surrogate
    }
  });
}

/** Per header name, the last value found safe as it is (names are few; bounded all the same). */
const checkedSafe = new Map<string, string>();
const MAX_CHECKED_NAMES = 256;

function rememberSafe(name: string, value: string): void {
  if (checkedSafe.size >= MAX_CHECKED_NAMES && !checkedSafe.has(name)) checkedSafe.clear();
  checkedSafe.set(name, value);
}

/**
 * The one place a reply becomes header lines, for the Node server and for
 * `toResponse` alike. Header values can carry request data (the path in the
 * variant key, an origin's headers); a CR, LF or a character the runtime
 * cannot send would make Node throw ERR_INVALID_CHAR and `new Headers`
 * throw a TypeError. Such values are percent-encoded, names that are not
 * tokens are dropped, so no request can make a reply unwritable.
 *
 * Flat, `name, value, name, value…` (one `set-cookie` pair per cookie): the
 * form Node's `writeHead` takes as it is, built with pushes, not with a
 * keyed store per header into a new object.
 */
export function replyHeaderLines(reply: Reply): string[] {
  const ready = reply.readyLines?.();
  if (ready !== undefined) {
    for (const cookie of reply.cookies) ready.push('set-cookie', safeHeaderValue(cookie));
    return ready;
  }
  const out: string[] = [];
  const cookies = reply.cookies.length > 0;
  for (const name in reply.headers) {
    const value = reply.headers[name];
    // The reply's own cookies replace a `set-cookie` its headers carry (an origin's).
    if (value === undefined || (cookies && name === 'set-cookie')) continue;
    // Most values repeat reply after reply (a variant's header set is built once): checked once.
    if (typeof value === 'string' && checkedSafe.get(name) === value) {
      out.push(name, value);
      continue;
    }
    if (!HEADER_NAME.test(name)) continue;
    const safe = safeHeaderValue(String(value));
    if (safe === value) rememberSafe(name, safe);
    out.push(name, safe);
  }
  for (const cookie of reply.cookies) out.push('set-cookie', safeHeaderValue(cookie));
  return out;
}

/** The same lines as a record (`set-cookie` as a list). */
export function replyHeaders(reply: Reply): Record<string, string | string[]> {
  const lines = replyHeaderLines(reply);
  const out: Record<string, string | string[]> = {};
  const n = lines.length - 2 * reply.cookies.length;
  for (let i = 0; i < n; i += 2) out[lines[i]!] = lines[i + 1]!;
  if (reply.cookies.length > 0) out['set-cookie'] = lines.slice(n).filter((_, i) => i % 2 === 1);
  return out;
}

export function toResponse(reply: Reply): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(replyHeaders(reply))) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  const raw = reply.status === 204 || reply.status === 304 ? null : reply.body;
  const body = Array.isArray(raw) ? joinChunks(raw) : raw;
  return new Response(body as BodyInit | null, { status: reply.status, headers });
}
