/**
 * Profiles and identity links in Redis, shared by every node of a deployment.
 *
 * Keys (all under `prefix`, one per deployment):
 * - `p:<id>`      hash { d: encoded profile bytes, v: version token, t: last change (ms) }, TTL `ttlSeconds`
 * - `links`       hash alias → canonical id
 * - `a:<id>`      set of the aliases linked to canonical `<id>`
 * Scripts build key names from the prefix, so on Redis Cluster put a hash tag
 * in the prefix (`{tessera}:`) to keep a deployment's keys in one slot.
 *
 * `merge` never overwrites blindly. It reads, merges with the CRDT
 * `mergeProfiles` here in JS, and writes with a Lua compare-and-set on the
 * version token. Why not WATCH/MULTI/EXEC: WATCH is per-connection state, and
 * on one multiplexed ioredis connection concurrent merges would clear each
 * other's watches (a lost update), so WATCH needs a connection per in-flight
 * merge. The CAS script is one atomic command on a shared connection, and on a
 * conflict it returns the current bytes, so a retry costs one round trip.
 * Versions are random tokens, not counters: a profile deleted and written
 * again can never look like the version a slow merge read (no ABA).
 * Merges to one id are also serialised inside this process, so conflicts only
 * come from other nodes; after `maxMergeAttempts` of them the merge gives up
 * with a clear error (the caller may spool and retry). The loop itself is
 * shared with the REST driver: `compare-and-set-merge.ts`.
 * @module
 */
import { randomBytes } from 'node:crypto';
import {
  openRedis,
  type RedisConnection,
  type RedisConnectionOptions,
  redisError,
} from '../connections/redis.js';
import type { ConnectionState } from '../connections/status.js';
import { KeyedMutex } from '../core/keyed-mutex.js';
import type { ProfileStore } from '../core/ports.js';
import { type ProfileCodec, plainProfileCodec } from '../core/profile/index.js';
import type { Profile } from '../core/types.js';
import { redisStreamsLog } from '../logs/redis-streams.js';
import { compareAndSetMerge } from './compare-and-set-merge.js';
import type { Stores } from './port.js';
import { LINK_SCRIPT, UNLINK_SCRIPT } from './redis-link-scripts.js';

export interface RedisProfileStoreOptions extends RedisConnectionOptions {
  /** Prefix of every key, one per deployment (default `tessera:`). */
  prefix?: string;
  /** Expire a profile this long after its last write (default: never). */
  ttlSeconds?: number;
  /** Conflicting writes from other nodes tolerated by one merge (default 16). */
  maxMergeAttempts?: number;
  /** Profile bytes at rest (default: plain JSON; the Node runtime injects AES-GCM). */
  codec?: ProfileCodec;
}

export type RedisProfileStore = ProfileStore & ConnectionState;

const CAS = `
local cur = redis.call('HGET', KEYS[1], 'v')
if (cur or '') ~= ARGV[1] then
  return {0, cur or '', redis.call('HGET', KEYS[1], 'd') or ''}
end
redis.call('HSET', KEYS[1], 'd', ARGV[2], 'v', ARGV[3])
if ARGV[4] ~= '0' then redis.call('EXPIRE', KEYS[1], ARGV[4]) end
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 't', ARGV[5]) end
return {1}
`;

export async function createRedisProfileStore(
  opts: RedisProfileStoreOptions = {},
): Promise<RedisProfileStore> {
  const conn = await openRedis(opts);
  return redisProfileStore(conn, opts, () => conn.close());
}

const toBytes = (x: unknown): Uint8Array | undefined =>
  x instanceof Uint8Array && x.byteLength > 0 ? x : undefined;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The store on an open connection; `release` runs on `close()`. */
export function redisProfileStore(
  conn: RedisConnection,
  opts: Omit<RedisProfileStoreOptions, keyof RedisConnectionOptions>,
  release: () => Promise<void>,
): RedisProfileStore {
  const prefix = opts.prefix ?? 'tessera:';
  const ttl = String(Math.max(0, Math.floor(opts.ttlSeconds ?? 0)));
  const maxAttempts = Math.max(1, opts.maxMergeAttempts ?? 16);
  const linksKey = `${prefix}links`;
  const aliasPrefix = `${prefix}a:`;
  const profileKey = (id: string) => `${prefix}p:${id}`;
  const codec = opts.codec ?? plainProfileCodec;
  const mutex = new KeyedMutex();
  let closed = false;
  // The connection may outlive this store (shared with the event log): check here too.
  const run: RedisConnection['run'] = (op, fn) =>
    closed ? Promise.reject(redisError(`${op}: the store is closed`)) : conn.run(op, fn);
  const script: RedisConnection['script'] = (op, ...rest) =>
    closed ? Promise.reject(redisError(`${op}: the store is closed`)) : conn.script(op, ...rest);

  const decode = (id: string, bytes: Uint8Array): Profile => {
    try {
      return codec.decode(bytes);
    } catch (e) {
      throw redisError(`corrupt profile ${JSON.stringify(id)}`, e);
    }
  };

  const mergeOnce = (id: string, delta: Profile): Promise<Profile> => {
    const key = profileKey(id);
    return compareAndSetMerge<Uint8Array>(delta, {
      async read() {
        const read = (await run('merge', (c) => c.callBuffer('HMGET', key, 'd', 'v'))) as (Buffer | null)[];
        return { bytes: toBytes(read[0]), version: read[1]?.toString() ?? '' };
      },
      decode: (bytes) => decode(id, bytes),
      async writeIfVersion(version, merged) {
        const next = randomBytes(9).toString('base64url');
        const r = (await script(
          'merge',
          CAS,
          [key],
          [version, codec.encode(merged), next, ttl, String(Date.now())],
          true,
        )) as [number, Buffer?, Buffer?];
        return r[0] === 1
          ? { written: true }
          : { written: false, version: r[1]?.toString() ?? '', bytes: toBytes(r[2]) };
      },
      maxAttempts,
      giveUp: (attempts) =>
        redisError(
          `merge ${JSON.stringify(id)}: gave up after ${attempts} conflicting writes from other nodes`,
        ),
      // Back off with jitter once contention repeats, so racing nodes spread out.
      backoff: (attempt) =>
        attempt > 1 ? sleep(Math.random() * Math.min(50, 2 ** attempt)) : Promise.resolve(),
    });
  };

  return {
    name: 'redis',
    status: () => (closed ? 'down' : conn.status()),
    onStatus: (listener) => conn.onStatus(listener),
    async get(id) {
      const bytes = toBytes(await run('get', (c) => c.callBuffer('HGET', profileKey(id), 'd')));
      return bytes === undefined ? undefined : decode(id, bytes);
    },
    merge(id, delta) {
      return mutex.run(id, () => mergeOnce(id, delta));
    },
    async delete(id) {
      await run('delete', (c) => c.call('DEL', profileKey(id)));
    },
    async link(alias, canonical) {
      await script('link', LINK_SCRIPT, [linksKey], [aliasPrefix, alias, canonical]);
    },
    async resolve(alias) {
      const found = await run('resolve', (c) => c.call('HGET', linksKey, alias));
      return typeof found === 'string' ? found : undefined;
    },
    async aliases(canonical) {
      const found = (await run('aliases', (c) => c.call('SMEMBERS', aliasPrefix + canonical))) as string[];
      return found.sort();
    },
    async unlink(id) {
      await script('unlink', UNLINK_SCRIPT, [linksKey], [aliasPrefix, id]);
    },
    async *ids() {
      const pattern = `${profileKey('').replace(/[*?[\]\\]/g, '\\$&')}*`;
      let cursor = '0';
      do {
        const [next, keys] = (await run('ids', (c) =>
          c.call('SCAN', cursor, 'MATCH', pattern, 'COUNT', 500),
        )) as [string, string[]];
        cursor = next;
        for (const k of keys) yield k.slice(profileKey('').length);
      } while (cursor !== '0');
    },
    async changedSince(since, cursor, limit) {
      // SCAN pages the keyspace (about `limit` keys a call, never all of it); Redis keeps no
      // index by time, so each page's change times are read and filtered here.
      const pattern = `${profileKey('').replace(/[*?[\]\\]/g, '\\$&')}*`;
      const [next, keys] = (await run('changedSince', (c) =>
        c.call('SCAN', cursor ?? '0', 'MATCH', pattern, 'COUNT', limit),
      )) as [string, string[]];
      const times = await Promise.all(
        keys.map((k) => run('changedSince', (c) => c.call('HGET', k, 't')) as Promise<string | null>),
      );
      // A profile written before change times were kept has none: it counts as changed.
      const ids = keys
        .filter((_, i) => times[i] === null || Number(times[i]) >= since)
        .map((k) => k.slice(profileKey('').length));
      return { ids, cursor: next === '0' ? undefined : next };
    },
    reencrypt(id) {
      return mutex.run(id, async () => {
        const key = profileKey(id);
        const read = (await run('reencrypt', (c) =>
          c.callBuffer('HMGET', key, 'd', 'v'),
        )) as (Buffer | null)[];
        const bytes = toBytes(read[0]);
        if (bytes === undefined || !codec.stale?.(bytes)) return false;
        const next = randomBytes(9).toString('base64url');
        // TTL '0': the rewrite keeps the key's expiry (HSET does not touch it); no time: nor its change time.
        const args = [read[1]?.toString() ?? '', codec.encode(decode(id, bytes)), next, '0', ''];
        const r = (await script('reencrypt', CAS, [key], args, true)) as [number];
        // A conflicting write from another node wrote with its own (current) key already.
        return r[0] === 1;
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      await release();
    },
  };
}

export type RedisStoreOptions = RedisProfileStoreOptions;

/**
 * Profiles and the event log (a Redis Stream, see `logs/redis-streams.ts`) on
 * one connection: what `--store redis://...` opens. `close()` closes both.
 */
export async function createRedisStore(opts: RedisStoreOptions = {}): Promise<Stores & ConnectionState> {
  const conn = await openRedis(opts);
  const noop = async () => {};
  const profiles = redisProfileStore(conn, opts, noop);
  const events = redisStreamsLog(conn, opts, noop);
  return {
    profiles,
    events,
    status: () => conn.status(),
    onStatus: (listener) => conn.onStatus(listener),
    async close() {
      await profiles.close();
      await events.close();
      await conn.close();
    },
  };
}
