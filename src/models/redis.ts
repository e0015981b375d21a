/**
 * The model registry in Redis, shared by every node of a deployment: keys
 * under the deployment's prefix —
 *
 * - `<prefix>models:v:<version>`: the artifact bytes;
 * - `<prefix>models:meta`: a hash, version → metadata JSON;
 * - `<prefix>models:aliases`: the aliases JSON.
 *
 * The aliases change by a Lua compare-and-set on their revision (one atomic
 * command; WATCH would need a connection per writer, see profiles/redis.ts).
 * @module
 */
import { openRedis, type RedisConnectionOptions, redisError } from '../connections/redis.js';
import type { ConnectionState } from '../connections/status.js';
import type { ModelMeta, ModelStore } from '../core/ports.js';
import { checkVersion, parseAliases, withProductionApi } from './model-registry.js';

export interface RedisModelStoreOptions extends RedisConnectionOptions {
  /** Prefix of every key, one per deployment (default `tessera:`). */
  prefix?: string;
}

export type RedisModelStore = ModelStore & ConnectionState & { close(): Promise<void> };

/** Sets the aliases when their stored revision is still ARGV[1]. */
const CAS = `
local cur = redis.call('GET', KEYS[1])
local rev = 0
if cur then rev = tonumber(cjson.decode(cur)['revision']) or 0 end
if rev ~= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1
`;

const toArrayBuffer = (b: unknown): ArrayBuffer | undefined =>
  b instanceof Uint8Array
    ? (b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer)
    : undefined;

export async function createRedisModelStore(opts: RedisModelStoreOptions = {}): Promise<RedisModelStore> {
  const conn = await openRedis(opts);
  const prefix = opts.prefix ?? 'tessera:';
  const blobKey = (v: string) => `${prefix}models:v:${checkVersion(v)}`;
  const metaKey = `${prefix}models:meta`;
  const aliasesKey = `${prefix}models:aliases`;
  const aliases = async () => {
    const text = (await conn.run('model aliases', (c) => c.call('GET', aliasesKey))) as string | null;
    try {
      return parseAliases(text);
    } catch (e) {
      throw redisError(`${aliasesKey} is not valid JSON`, e);
    }
  };
  const store = withProductionApi({
    name: 'redis',
    async getVersion(version) {
      const key = blobKey(version);
      return toArrayBuffer(await conn.run('model get', (c) => c.callBuffer('GET', key)));
    },
    async putVersion(artifact, meta) {
      const key = blobKey(meta.version);
      const bytes = Buffer.from(artifact);
      // The bytes first: a version listed in the hash can always be read.
      await conn.run('model put', (c) => c.call('SET', key, bytes));
      await conn.run('model put', (c) => c.call('HSET', metaKey, meta.version, JSON.stringify(meta)));
    },
    async list() {
      const flat = (await conn.run('model list', (c) => c.call('HGETALL', metaKey))) as string[];
      const metas: ModelMeta[] = [];
      for (let i = 1; i < flat.length; i += 2) metas.push(JSON.parse(flat[i]!) as ModelMeta);
      return metas.sort((a, b) => a.created - b.created);
    },
    aliases,
    async setAliases(next, expected) {
      const doc = JSON.stringify({ ...next, revision: expected + 1 });
      return (await conn.script('model aliases', CAS, [aliasesKey], [String(expected), doc])) === 1;
    },
  });
  return {
    ...store,
    status: () => conn.status(),
    onStatus: (fn) => conn.onStatus(fn),
    close: () => conn.close(),
  };
}
