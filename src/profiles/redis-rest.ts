/**
 * Profiles and identity links in Redis reached over its REST protocol
 * (Upstash, Vercel KV): the store of runtimes that have `fetch` but no TCP
 * (Vercel Edge, Netlify Edge, any Worker). The key layout and the
 * compare-and-set are the TCP driver's (profiles/redis.ts), one Lua script a
 * command: `merge` reads the hash, merges with the CRDT `mergeProfiles`
 * here, and writes only if the version token is unchanged, retrying on what
 * another node wrote (the loop both drivers share: compare-and-set-merge.ts).
 * Profile bytes are stored base64 (REST carries JSON strings), so this layout
 * is not shared with the TCP driver's raw bytes:
 * give each its own `prefix`.
 *
 * - `p:<id>`  hash { d: base64 profile bytes, v: version token, t: last change (ms) }
 * - `links`   hash alias → canonical id;  `a:<id>`  set of aliases of `<id>`
 * @module
 */
import type { RedisRestClient } from '../connections/redis-rest.js';
import { TesseraError } from '../core/errors.js';
import { KeyedMutex } from '../core/keyed-mutex.js';
import type { ProfileStore } from '../core/ports.js';
import { type AsyncProfileCodec, plainAsyncProfileCodec } from './async-profile-codec.js';
import { compareAndSetMerge } from './compare-and-set-merge.js';
import { LINK_SCRIPT, UNLINK_SCRIPT } from './redis-link-scripts.js';

export interface RedisRestProfileStoreOptions {
  client: RedisRestClient;
  /** Prefix of every key (default `tessera:rest:`). */
  prefix?: string;
  maxMergeAttempts?: number;
  codec?: AsyncProfileCodec;
  now?: () => number;
}

const NAME = 'redis-rest';

/** Writes when the version read is still current; else answers the current version and bytes. */
const CAS = `
local cur = redis.call('HGET', KEYS[1], 'v')
if (cur or '') ~= ARGV[1] then
  return {0, cur or '', redis.call('HGET', KEYS[1], 'd') or ''}
end
redis.call('HSET', KEYS[1], 'd', ARGV[2], 'v', ARGV[3], 't', ARGV[4])
return {1}
`;

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

function versionToken(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(9)), (b) => b.toString(16).padStart(2, '0')).join(
    '',
  );
}

export function createRedisRestProfileStore(o: RedisRestProfileStoreOptions): ProfileStore {
  const { client } = o;
  const prefix = o.prefix ?? 'tessera:rest:';
  const attempts = o.maxMergeAttempts ?? 16;
  const codec = o.codec ?? plainAsyncProfileCodec;
  const now = o.now ?? Date.now;
  const mutex = new KeyedMutex();
  const key = (id: string) => `${prefix}p:${id}`;
  const linksKey = `${prefix}links`;
  const aliasPrefix = `${prefix}a:`;

  async function decode(id: string, text: string) {
    try {
      return await codec.decode(fromBase64(text));
    } catch (e) {
      throw new TesseraError(500, `[tessera] [${NAME}] corrupt profile "${id}"`, { cause: e });
    }
  }

  return {
    name: NAME,
    async get(id) {
      const d = await client.command<string | null>(['HGET', key(id), 'd']);
      return d ? decode(id, d) : undefined;
    },
    merge(id, delta) {
      return mutex.run(id, () =>
        compareAndSetMerge<string>(delta, {
          async read() {
            const [d, v] = await client.command<[string | null, string | null]>(['HMGET', key(id), 'd', 'v']);
            return { bytes: d || undefined, version: v ?? '' };
          },
          decode: (text) => decode(id, text),
          async writeIfVersion(version, merged) {
            const bytes = toBase64(await codec.encode(merged));
            const r = await client.command<[number, string?, string?]>([
              'EVAL',
              CAS,
              1,
              key(id),
              version,
              bytes,
              versionToken(),
              now(),
            ]);
            return r[0] === 1
              ? { written: true }
              : { written: false, version: r[1] ?? '', bytes: r[2] || undefined };
          },
          maxAttempts: attempts,
          giveUp: (n) =>
            new TesseraError(503, `[tessera] [${NAME}] merge "${id}" gave up after ${n} conflicting writes`),
        }),
      );
    },
    delete(id) {
      return mutex.run(id, async () => {
        await client.command(['DEL', key(id)]);
      });
    },
    async link(alias, canonical) {
      await client.command(['EVAL', LINK_SCRIPT, 1, linksKey, aliasPrefix, alias, canonical]);
    },
    async resolve(alias) {
      return (await client.command<string | null>(['HGET', linksKey, alias])) ?? undefined;
    },
    async aliases(canonical) {
      return (await client.command<string[]>(['SMEMBERS', `${aliasPrefix}${canonical}`])).sort();
    },
    async unlink(id) {
      await client.command(['EVAL', UNLINK_SCRIPT, 1, linksKey, aliasPrefix, id]);
    },
    async *ids() {
      let cursor = '0';
      do {
        const [next, keys] = await client.command<[string, string[]]>([
          'SCAN',
          cursor,
          'MATCH',
          `${prefix}p:*`,
          'COUNT',
          200,
        ]);
        for (const k of keys) yield k.slice(`${prefix}p:`.length);
        cursor = next;
      } while (cursor !== '0');
    },
    async close() {},
  };
}
