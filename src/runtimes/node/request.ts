/**
 * node:http → the core's RequestLike, without building an undici Request
 * (which costs more than a whole decision). Body reads stop at the limit.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import type { RequestLike } from '../../core/context.js';
import { TesseraError } from '../../core/errors.js';

/** A Host header that is a host name or IP with an optional port; anything else is not used. */
const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;

/**
 * The authority of the URL the core reads. The Host header is the client's
 * to choose: `127.0.0.1:8787/admin` must not become part of the path (a
 * proxy that blocks `/admin*` would be bypassed), so only a well-formed
 * host[:port] is taken.
 */
function hostOf(host: string | undefined): string {
  return host !== undefined && HOST.test(host) ? host : 'localhost';
}

/**
 * The path and query of the request line. Origin form (`/path?q`) as it is;
 * absolute form (`http://host/path`, what a proxy may send) by its path, so
 * the line's authority never routes; anything else (`*`, `evil/x`) as a
 * path of its own.
 */
function targetOf(url: string | undefined): string {
  if (!url) return '/';
  if (url.startsWith('/')) return url;
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(url);
  if (scheme) return `/${url.slice(scheme[0].length).replace(/^\/+/, '')}`;
  return `/${url}`;
}

export class NodeRequest implements RequestLike {
  readonly url: string;
  readonly headers: RequestLike['headers'];
  /** The peer's address, for per-IP limits (a trusted proxy header overrides it when configured). */
  readonly clientIp: string | undefined;
  /** Whether the engine asked for the body (a refused request's body may be left unread). */
  bodyRead = false;

  constructor(
    private readonly req: IncomingMessage,
    private readonly maxBodyBytes: number,
    /** The server's id for this request (see RequestLike.requestId). */
    readonly requestId?: string,
  ) {
    this.clientIp = req.socket.remoteAddress;
    this.url = `http://${hostOf(req.headers.host)}${targetOf(req.url)}`;
    const h = req.headers;
    this.headers = {
      get(name: string): string | null {
        const v = h[name];
        if (v === undefined) return null;
        return Array.isArray(v) ? v.join(', ') : v;
      },
      // One pass over the request's own (lower-case) names: fewer than the names asked about.
      anyOf(names: ReadonlySet<string>): boolean {
        for (const name in h) if (names.has(name)) return true;
        return false;
      },
    };
  }

  get method(): string {
    return this.req.method ?? 'GET';
  }

  text(): Promise<string> {
    this.bodyRead = true;
    const req = this.req;
    const max = this.maxBodyBytes;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let over = false;
      req.on('data', (c: Buffer) => {
        if (over) return; // keep draining so the connection stays usable, but drop the bytes
        size += c.length;
        if (size > max) {
          over = true;
          chunks.length = 0;
          reject(new TesseraError(413, `[tessera] [collect] body is larger than ${max} bytes`));
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => {
        if (!over) resolve(Buffer.concat(chunks).toString('utf8'));
      });
      req.on('error', (e) =>
        reject(new TesseraError(400, '[tessera] [collect] body could not be read', { cause: e })),
      );
    });
  }
}
