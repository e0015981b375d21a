/**
 * The model registry in KV or R2. A Worker isolate reads the production
 * artifact on its first request, then follows the aliases by polling them
 * (alias-follower.ts); the typed-array views over one ArrayBuffer serve every
 * request in between without another read. The CLI reaches the same keys from
 * outside through cloudflare-kv-rest.ts. KV values are limited to 25 MiB;
 * larger artifacts go to R2.
 *
 * Keys: `models/<version>.tsra`, `models/index.json` (every version's
 * metadata) and `models/aliases.json`; the key an older version wrote
 * (`model/current.tsra`) is served until an alias is written. Neither KV nor
 * R2 offers a compare-and-set: the aliases' revision check here is
 * read-then-write, so promote from one place at a time (the CLI, CI).
 * @module
 */
import type { KVNamespaceLike, R2BucketLike } from '../connections/cloudflare-bindings.js';
import { TesseraError } from '../core/errors.js';
import type { ModelMeta, ModelStore } from '../core/ports.js';
import { checkVersion, parseAliases, withProductionApi } from './model-registry.js';

export const DEFAULT_MODEL_KEY = 'model/current.tsra';

interface Blobs {
  name: string;
  get(key: string): Promise<ArrayBuffer | undefined>;
  put(key: string, value: ArrayBuffer | string): Promise<void>;
}

const INDEX = 'models/index.json';
const ALIASES = 'models/aliases.json';
const text = (b: ArrayBuffer | undefined) => (b ? new TextDecoder().decode(b) : undefined);

function blobModelStore(blobs: Blobs, legacyKey: string): ModelStore {
  const index = async (): Promise<ModelMeta[]> => JSON.parse(text(await blobs.get(INDEX)) ?? '[]');
  const aliases = async () => parseAliases(text(await blobs.get(ALIASES)));
  return withProductionApi(
    {
      name: blobs.name,
      getVersion: (v) => blobs.get(`models/${checkVersion(v)}.tsra`),
      async putVersion(artifact, meta) {
        await blobs.put(`models/${checkVersion(meta.version)}.tsra`, artifact);
        const rest = (await index()).filter((m) => m.version !== meta.version);
        await blobs.put(INDEX, JSON.stringify([...rest, meta]));
      },
      list: async () => (await index()).sort((a, b) => a.created - b.created),
      aliases,
      async setAliases(next, expected) {
        if ((await aliases()).revision !== expected) return false;
        await blobs.put(ALIASES, JSON.stringify({ ...next, revision: expected + 1 }));
        return true;
      },
    },
    () => blobs.get(legacyKey),
  );
}

export function createKvModelStore(kv: KVNamespaceLike, key = DEFAULT_MODEL_KEY): ModelStore {
  return blobModelStore(
    {
      name: 'cloudflare-kv',
      async get(k) {
        try {
          return (await kv.get(k, 'arrayBuffer')) ?? undefined;
        } catch (e) {
          throw new TesseraError(500, `[tessera] [cloudflare-kv] model "${k}" could not be read`, {
            cause: e,
          });
        }
      },
      put: (k, v) => kv.put(k, v),
    },
    key,
  );
}

export function createR2ModelStore(bucket: R2BucketLike, key = DEFAULT_MODEL_KEY): ModelStore {
  return blobModelStore(
    {
      name: 'r2',
      async get(k) {
        try {
          const obj = await bucket.get(k);
          return obj ? await obj.arrayBuffer() : undefined;
        } catch (e) {
          throw new TesseraError(500, `[tessera] [r2] model "${k}" could not be read`, { cause: e });
        }
      },
      async put(k, v) {
        await bucket.put(k, typeof v === 'string' ? (new TextEncoder().encode(v).buffer as ArrayBuffer) : v);
      },
    },
    key,
  );
}
