/**
 * Catching the page a Node framework writes (Express, or anything that ends
 * in `res.write`/`res.end` on a `ServerResponse`) before it reaches the
 * socket, the way compression middleware does. At the first write the status
 * and content type say whether it is a page Tessera personalizes; anything
 * else (JSON, files, redirects, errors, streams) is handed straight back to
 * the response, unbuffered.
 * @module
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { isPersonalizable } from './page-headers.js';

export interface CapturedPage {
  html: string;
  /** The headers the framework set, cookies apart. */
  headers: Array<[string, string]>;
  cookies: string[];
}

type Callback = (error?: Error | null) => void;

/**
 * `onPage` gets the captured page once the framework ends the response and
 * must write the answer itself (the response's own methods are restored by then).
 */
export function capturePage(
  method: string,
  res: ServerResponse,
  onPage: (page: CapturedPage, done: Callback | undefined) => void,
): void {
  const original = { writeHead: res.writeHead, write: res.write, end: res.end };
  let mode: 'open' | 'capture' | 'pass' = 'open';
  const chunks: Buffer[] = [];

  const restore = () => {
    res.writeHead = original.writeHead;
    res.write = original.write;
    res.end = original.end;
  };
  const decide = (): 'capture' | 'pass' => {
    if (mode !== 'open') return mode;
    const type = res.getHeader('content-type');
    const encoding = res.getHeader('content-encoding');
    mode = isPersonalizable(
      method,
      res.statusCode,
      typeof type === 'string' ? type : undefined,
      typeof encoding === 'string' ? encoding : undefined,
    )
      ? 'capture'
      : 'pass';
    if (mode === 'pass') restore();
    return mode;
  };

  res.writeHead = function writeHead(this: ServerResponse, status: number, ...rest: unknown[]) {
    res.statusCode = status;
    if (typeof rest[0] === 'string') res.statusMessage = rest[0];
    const headers = rest[rest.length - 1];
    if (headers && typeof headers === 'object') setAll(res, headers as OutgoingHttpHeaders | string[]);
    if (decide() === 'pass') return original.writeHead.call(res, res.statusCode);
    return res;
  } as ServerResponse['writeHead'];

  res.write = function write(this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
    if (decide() === 'pass')
      return (original.write as (...a: unknown[]) => boolean).call(res, chunk, ...rest);
    chunks.push(toBuffer(chunk, rest[0]));
    const cb = rest.find((r) => typeof r === 'function') as Callback | undefined;
    cb?.();
    return true;
  } as ServerResponse['write'];

  res.end = function end(this: ServerResponse, ...args: unknown[]) {
    if (decide() === 'pass') return (original.end as (...a: unknown[]) => ServerResponse).apply(res, args);
    const cb = args.find((a) => typeof a === 'function') as Callback | undefined;
    if (args[0] !== undefined && typeof args[0] !== 'function') chunks.push(toBuffer(args[0], args[1]));
    restore();
    const headers: Array<[string, string]> = [];
    let cookies: string[] = [];
    for (const [name, value] of Object.entries(res.getHeaders())) {
      if (value === undefined) continue;
      if (name === 'set-cookie') cookies = Array.isArray(value) ? value.map(String) : [String(value)];
      else headers.push([name, Array.isArray(value) ? value.join(', ') : String(value)]);
    }
    // The answer is written whole by `onPage`: nothing the framework set may linger.
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    onPage({ html: Buffer.concat(chunks).toString('utf8'), headers, cookies }, cb);
    return res;
  } as ServerResponse['end'];
}

function setAll(res: ServerResponse, headers: OutgoingHttpHeaders | string[]): void {
  if (Array.isArray(headers)) {
    // Raw form: name, value, name, value…
    for (let i = 0; i + 1 < headers.length; i += 2) res.appendHeader(headers[i]!, headers[i + 1]!);
    return;
  }
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) res.setHeader(name, value);
}

function toBuffer(chunk: unknown, encoding: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
}
