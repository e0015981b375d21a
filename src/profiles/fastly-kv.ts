/**
 * Profiles in a Fastly KV Store (`fastly:kv-store`), written against
 * Fastly's documented `KVStore` API: `get` → entry | null, `put(key, value,
 * { ttl })`, `delete`, `list({ prefix, cursor, limit })` → `{ list, cursor }`.
 *
 * Fastly's KV Store is shaped like Workers KV (eventually consistent, about
 * one write per second per key), so the store itself is the Workers KV one
 * (cloudflare-kv.ts: merge-on-write re-reads, identity links, the
 * at-rest codec) over `fastlyKvNamespace`, an adapter to the KV binding
 * shape. One difference: Fastly Compute has no work after the response, so
 * writes are never coalesced into a later flush (`writeIntervalMs: 0`):
 * every merge is written while the request is being answered.
 *
 * Keys: Fastly refuses `#;?^|` and line breaks in keys; profile ids may hold
 * any of them, so those characters (and `%`) are percent-encoded, which
 * keeps prefixes prefixes and `list` answers the ids as written.
 * @module
 */
import type { KVNamespaceLike } from '../connections/cloudflare-bindings.js';
import type { AsyncProfileCodec } from './async-profile-codec.js';
import { createKvProfileStore, type KvProfileStore } from './cloudflare-kv.js';

/** The part of `fastly:kv-store`'s `KVStore` the driver uses. */
export interface FastlyKvStoreLike {
  get(key: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer>; text(): Promise<string> } | null>;
  put(key: string, value: BodyInit, options?: { ttl?: number }): Promise<unknown>;
  delete(key: string): Promise<unknown>;
  list(options?: { prefix?: string; limit?: number; cursor?: string }): Promise<{
    list: string[];
    cursor: string | undefined;
  }>;
}

const FORBIDDEN = /[#;?^|\n\r%]/g;

/** A key Fastly accepts, reversibly (see above). */
export function fastlyKey(key: string): string {
  const escaped = key.replace(FORBIDDEN, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  // "." and ".." are refused as whole keys (the store's keys are prefixed, but a caller's may not be).
  return escaped === '.' || escaped === '..' ? escaped.replaceAll('.', '%2e') : escaped;
}

export function fromFastlyKey(key: string): string {
  return key.replace(/%([0-9a-f]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
}

/** Fastly's `KVStore` in the shape of a Workers KV binding. */
export function fastlyKvNamespace(store: FastlyKvStoreLike): KVNamespaceLike {
  const get = async (key: string, type: 'arrayBuffer' | 'text') => {
    const entry = await store.get(fastlyKey(key));
    if (entry === null) return null;
    return type === 'text' ? entry.text() : entry.arrayBuffer();
  };
  return {
    get: get as KVNamespaceLike['get'],
    async put(key, value, options) {
      const body =
        typeof value === 'string' || value instanceof ArrayBuffer
          ? value
          : new Uint8Array(value.buffer, value.byteOffset, value.byteLength).slice();
      await store.put(
        fastlyKey(key),
        body,
        options?.expirationTtl ? { ttl: options.expirationTtl } : undefined,
      );
    },
    async delete(key) {
      await store.delete(fastlyKey(key));
    },
    async list(options = {}) {
      const page = await store.list({
        ...(options.prefix !== undefined ? { prefix: fastlyKey(options.prefix) } : {}),
        ...(options.cursor ? { cursor: options.cursor } : {}),
        ...(options.limit ? { limit: options.limit } : {}),
      });
      return {
        keys: page.list.map((name) => ({ name: fromFastlyKey(name) })),
        list_complete: page.cursor === undefined,
        ...(page.cursor !== undefined ? { cursor: page.cursor } : {}),
      };
    },
  };
}

export interface FastlyKvProfileStoreOptions {
  store: FastlyKvStoreLike;
  prefix?: string;
  codec?: AsyncProfileCodec;
  onError?: Parameters<typeof createKvProfileStore>[0]['onError'];
}

export function createFastlyKvProfileStore(o: FastlyKvProfileStoreOptions): KvProfileStore {
  return createKvProfileStore({
    kv: fastlyKvNamespace(o.store),
    writeIntervalMs: 0,
    ...(o.prefix !== undefined ? { prefix: o.prefix } : {}),
    ...(o.codec ? { codec: o.codec } : {}),
    ...(o.onError ? { onError: o.onError } : {}),
  });
}
