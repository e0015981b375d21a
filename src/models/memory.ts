/**
 * The in-memory model store (tests, ephemeral runs).
 * @module
 */
import type { ModelAliases, ModelMeta, ModelStore } from '../core/ports.js';
import { EMPTY_ALIASES, withProductionApi } from './model-registry.js';

/** A model store that keeps every version in memory (tests, ephemeral runs). */
export function createMemoryModelStore(initial?: ArrayBuffer): ModelStore {
  // Copies on the way in and out: an artifact is immutable once published,
  // whatever the caller later does with its buffer.
  const blobs = new Map<string, ArrayBuffer>();
  const metas = new Map<string, ModelMeta>();
  let aliases: ModelAliases = { ...EMPTY_ALIASES, history: [] };
  const store = withProductionApi({
    name: 'memory',
    async getVersion(version) {
      return blobs.get(version)?.slice(0);
    },
    async putVersion(artifact, meta) {
      blobs.set(meta.version, artifact.slice(0));
      metas.set(meta.version, structuredClone(meta));
    },
    async list() {
      return [...metas.values()].map((m) => structuredClone(m)).sort((a, b) => a.created - b.created);
    },
    async aliases() {
      return structuredClone(aliases);
    },
    async setAliases(next, expected) {
      if (aliases.revision !== expected) return false;
      aliases = { ...structuredClone(next), revision: expected + 1 };
      return true;
    },
  });
  if (!initial) return store;
  // Every call waits for the initial artifact to be registered.
  const ready = store.put(initial);
  return {
    name: store.name,
    get: () => ready.then(() => store.get()),
    put: (a, m) => ready.then(() => store.put(a, m)),
    getVersion: (v) => ready.then(() => store.getVersion(v)),
    putVersion: (a, m) => ready.then(() => store.putVersion(a, m)),
    list: () => ready.then(() => store.list()),
    aliases: () => ready.then(() => store.aliases()),
    setAliases: (n, r) => ready.then(() => store.setAliases(n, r)),
  };
}
