/**
 * The recommendation artifact in KV or R2. The Worker reads it once per
 * isolate (on the first request) and hands it to `engine.models.swap`; the
 * typed-array views over that one ArrayBuffer then serve every later request
 * in the isolate without another read. KV values are limited to 25 MiB;
 * larger artifacts go to R2.
 * @module
 */

import type { KVNamespaceLike, R2BucketLike } from '../connections/cloudflare-bindings.js';
import { TesseraError } from '../core/errors.js';
import type { ModelStore } from '../core/ports.js';

export const DEFAULT_MODEL_KEY = 'model/current.tsra';

export function createKvModelStore(kv: KVNamespaceLike, key = DEFAULT_MODEL_KEY): ModelStore {
  return {
    name: 'cloudflare-kv',
    async get() {
      try {
        return (await kv.get(key, 'arrayBuffer')) ?? undefined;
      } catch (e) {
        throw new TesseraError(500, `[tessera] [cloudflare-kv] model "${key}" could not be read`, {
          cause: e,
        });
      }
    },
    async put(artifact) {
      await kv.put(key, artifact);
    },
  };
}

export function createR2ModelStore(bucket: R2BucketLike, key = DEFAULT_MODEL_KEY): ModelStore {
  return {
    name: 'r2',
    async get() {
      try {
        const obj = await bucket.get(key);
        return obj ? await obj.arrayBuffer() : undefined;
      } catch (e) {
        throw new TesseraError(500, `[tessera] [r2] model "${key}" could not be read`, { cause: e });
      }
    },
    async put(artifact) {
      await bucket.put(key, artifact);
    },
  };
}
