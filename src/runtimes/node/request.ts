/**
 * node:http → the core's RequestLike, without building an undici Request
 * (which costs more than a whole decision). Body reads stop at the limit.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import type { RequestLike } from '../../core/context.js';
import { TesseraError } from '../../core/errors.js';

export class NodeRequest implements RequestLike {
  readonly url: string;
  readonly headers: { get(name: string): string | null };
  /** The peer's address, for per-IP limits (a trusted proxy header overrides it when configured). */
  readonly clientIp: string | undefined;

  constructor(
    private readonly req: IncomingMessage,
    private readonly maxBodyBytes: number,
  ) {
    this.clientIp = req.socket.remoteAddress;
    this.url = `http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`;
    const h = req.headers;
    this.headers = {
      get(name: string): string | null {
        const v = h[name];
        if (v === undefined) return null;
        return Array.isArray(v) ? v.join(', ') : v;
      },
    };
  }

  get method(): string {
    return this.req.method ?? 'GET';
  }

  text(): Promise<string> {
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
