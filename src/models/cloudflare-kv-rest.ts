/**
 * A Workers KV namespace reached from outside Cloudflare, through the REST
 * API (`/accounts/:account/storage/kv/namespaces/:namespace/values/:key`,
 * the calls `wrangler kv key get|put` makes): what lets `tessera model
 * promote|rollback|import --models cloudflare-kv://ACCOUNT/NAMESPACE` move
 * the registry a Worker reads (models/cloudflare.ts) from a laptop or CI.
 * The token comes from `CLOUDFLARE_API_TOKEN` (Workers KV Storage: Edit).
 *
 * Values are written as the raw body (no metadata: wrangler does the same),
 * keys URL-encoded. Reads go to Cloudflare's central store, so the CLI sees
 * its own writes; the Worker's isolates see them after KV's propagation.
 * @module
 */
import type { KVNamespaceLike } from '../connections/cloudflare-bindings.js';
import { TesseraError } from '../core/errors.js';

export const CLOUDFLARE_API = 'https://api.cloudflare.com/client/v4';

export interface KvRestOptions {
  accountId: string;
  namespaceId: string;
  apiToken: string;
  /** The API's base URL (default Cloudflare's; `TESSERA_CLOUDFLARE_API` overrides it, e.g. for a test double). */
  api?: string;
  fetch?: typeof fetch;
}

interface Envelope<T> {
  success: boolean;
  errors?: Array<{ code?: number; message?: string }>;
  result?: T;
  result_info?: { cursor?: string };
}

export function createKvRestNamespace(o: KvRestOptions): KVNamespaceLike {
  const base = `${(o.api ?? CLOUDFLARE_API).replace(/\/+$/, '')}/accounts/${encodeURIComponent(o.accountId)}/storage/kv/namespaces/${encodeURIComponent(o.namespaceId)}`;
  const call = o.fetch ?? fetch;
  const headers = { authorization: `Bearer ${o.apiToken}` };

  async function failed(res: Response, what: string): Promise<never> {
    let detail = `${res.status}`;
    try {
      const body = (await res.json()) as Envelope<unknown>;
      detail += body.errors?.length ? `: ${body.errors.map((e) => e.message).join('; ')}` : '';
    } catch {
      // not JSON: the status says enough
    }
    throw new TesseraError(502, `[tessera] [cloudflare-kv] ${what} failed (${detail})`);
  }

  async function getBytes(key: string): Promise<ArrayBuffer | null> {
    const res = await call(`${base}/values/${encodeURIComponent(key)}`, { headers });
    if (res.status === 404) return null;
    if (!res.ok) return failed(res, `reading "${key}"`);
    return res.arrayBuffer();
  }

  return {
    get: (async (key: string, type: 'arrayBuffer' | 'text') => {
      const bytes = await getBytes(key);
      if (bytes === null) return null;
      return type === 'text' ? new TextDecoder().decode(bytes) : bytes;
    }) as KVNamespaceLike['get'],
    async put(key, value, options) {
      const q = options?.expirationTtl ? `?expiration_ttl=${options.expirationTtl}` : '';
      // A view is copied into a buffer of its own: fetch takes an ArrayBuffer as the whole body.
      const body: string | ArrayBuffer =
        typeof value === 'string' || value instanceof ArrayBuffer
          ? value
          : (new Uint8Array(value.buffer, value.byteOffset, value.byteLength).slice().buffer as ArrayBuffer);
      const res = await call(`${base}/values/${encodeURIComponent(key)}${q}`, {
        method: 'PUT',
        headers,
        body,
      });
      if (!res.ok) await failed(res, `writing "${key}"`);
    },
    async delete(key) {
      const res = await call(`${base}/values/${encodeURIComponent(key)}`, { method: 'DELETE', headers });
      if (!res.ok && res.status !== 404) await failed(res, `deleting "${key}"`);
    },
    async list(options = {}) {
      const q = new URLSearchParams();
      if (options.prefix) q.set('prefix', options.prefix);
      if (options.cursor) q.set('cursor', options.cursor);
      if (options.limit) q.set('limit', String(options.limit));
      const res = await call(`${base}/keys?${q}`, { headers });
      if (!res.ok) return failed(res, 'listing keys');
      const body = (await res.json()) as Envelope<Array<{ name: string }>>;
      const cursor = body.result_info?.cursor || undefined;
      return { keys: body.result ?? [], list_complete: !cursor, ...(cursor ? { cursor } : {}) };
    },
  };
}
