/**
 * Redis over HTTP in the shape of Upstash's REST API (what Vercel KV is):
 * `POST <url>` with the command as a JSON array (`["HGET","k","f"]`) and
 * `Authorization: Bearer <token>`; the answer is `{ "result": … }` or
 * `{ "error": "…" }`. Only `fetch` is needed, so it runs on every edge
 * runtime. Values travel as JSON strings: binary values are the caller's to
 * encode (the profile store sends base64).
 * @module
 */
import { TesseraError } from '../core/errors.js';

export interface RedisRestOptions {
  /** The REST endpoint (`KV_REST_API_URL` / `UPSTASH_REDIS_REST_URL`). */
  url: string;
  /** `KV_REST_API_TOKEN` / `UPSTASH_REDIS_REST_TOKEN`. */
  token: string;
  fetch?: typeof fetch;
}

export type RedisRestArg = string | number;

export interface RedisRestClient {
  /** One command; resolves to its `result`, rejects with `[tessera] [redis-rest] …` and the cause. */
  command<T = unknown>(args: RedisRestArg[]): Promise<T>;
}

export function createRedisRestClient(o: RedisRestOptions): RedisRestClient {
  const send = o.fetch ?? fetch;
  const url = o.url.replace(/\/$/, '');
  return {
    async command<T>(args: RedisRestArg[]): Promise<T> {
      const name = String(args[0]);
      let res: Response;
      try {
        res = await send(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${o.token}`, 'content-type': 'application/json' },
          body: JSON.stringify(args.map(String)),
        });
      } catch (e) {
        throw new TesseraError(503, `[tessera] [redis-rest] ${name}: endpoint unreachable`, { cause: e });
      }
      let body: { result?: T; error?: string };
      try {
        body = (await res.json()) as { result?: T; error?: string };
      } catch (e) {
        throw new TesseraError(502, `[tessera] [redis-rest] ${name}: HTTP ${res.status}, not JSON`, {
          cause: e,
        });
      }
      if (!res.ok || body.error !== undefined)
        throw new TesseraError(502, `[tessera] [redis-rest] ${name}: ${body.error ?? `HTTP ${res.status}`}`);
      return body.result as T;
    },
  };
}
