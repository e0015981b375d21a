/**
 * The in-memory profile store (and `createMemoryStore`: it with the memory
 * event log beside it). For tests and ephemeral runs; state lives as long as
 * the process.
 *
 * Same semantics as the SQLite driver: profiles are kept as encoded bytes (so
 * the codec's bounds apply, and callers never share objects with the store),
 * events are deduplicated by (visitor, id) and read with a sequence cursor.
 * @module
 */
import { TesseraError } from '../core/errors.js';
import type { ProfileStore } from '../core/ports.js';
import { mergeProfiles, type ProfileCodec, plainProfileCodec } from '../core/profile/index.js';
import type { Profile } from '../core/types.js';
import { createMemoryEventLog } from '../logs/memory.js';
import type { Stores } from './port.js';

// The `tessera/stores/memory` subpath has always exported the model store too.
export { createMemoryModelStore } from '../models/memory.js';

export interface MemoryStoreOptions {
  /** Driver name shown in traces and errors (default `memory`). */
  name?: string;
  /** Clock for profiles' last-change times (retention sweeps); default Date.now. */
  now?: () => number;
  /** Profile bytes at rest (default: plain JSON; the Node runtime injects AES-GCM). */
  codec?: ProfileCodec;
}

export function createMemoryStore(opts: MemoryStoreOptions = {}): Stores {
  const name = opts.name ?? 'memory';
  const profiles = createMemoryProfileStore(name, opts.now ?? Date.now, opts.codec ?? plainProfileCodec);
  const events = createMemoryEventLog(name);
  return {
    profiles,
    events,
    async close() {
      await profiles.close();
      await events.close();
    },
  };
}

function storeError(name: string, message: string, cause?: unknown): TesseraError {
  return new TesseraError(500, `[tessera] [${name}] ${message}`, { cause });
}

export function createMemoryProfileStore(
  name = 'memory',
  now: () => number = Date.now,
  codec: ProfileCodec = plainProfileCodec,
): ProfileStore {
  const profiles = new Map<string, Uint8Array>();
  /** id → last change (epoch ms), for retention. */
  const updatedAt = new Map<string, number>();
  /** alias → canonical */
  const links = new Map<string, string>();

  const read = (id: string): Profile | undefined => {
    const bytes = profiles.get(id);
    if (bytes === undefined) return undefined;
    try {
      return codec.decode(bytes);
    } catch (e) {
      throw storeError(name, `corrupt profile ${JSON.stringify(id)}`, e);
    }
  };

  return {
    name,
    async get(id) {
      return read(id);
    },
    async merge(id, delta) {
      // Read, merge and write run without an `await` in between, so on the
      // single JS thread each call is one critical section: merges to the same
      // key are serialised and concurrent calls lose nothing.
      const current = read(id);
      const merged = current === undefined ? delta : mergeProfiles(current, delta);
      profiles.set(id, codec.encode(merged));
      updatedAt.set(id, now());
      return merged;
    },
    async delete(id) {
      profiles.delete(id);
      updatedAt.delete(id);
    },
    async link(alias, canonical) {
      links.set(alias, canonical);
    },
    async resolve(alias) {
      return links.get(alias);
    },
    async aliases(canonical) {
      const found: string[] = [];
      for (const [alias, target] of links) if (target === canonical) found.push(alias);
      return found.sort();
    },
    async unlink(id) {
      for (const [alias, target] of links) if (alias === id || target === id) links.delete(alias);
    },
    async *ids() {
      yield* [...profiles.keys()];
    },
    async changedSince(since, cursor, limit) {
      // Ids in order, after the cursor: a page is stable across writes made between calls.
      const ids = [...updatedAt]
        .filter(([id, at]) => at >= since && (cursor === undefined || id > cursor))
        .map(([id]) => id)
        .sort()
        .slice(0, limit);
      return { ids, cursor: ids.length === limit ? ids[ids.length - 1] : undefined };
    },
    async reencrypt(id) {
      const bytes = profiles.get(id);
      if (bytes === undefined || !codec.stale?.(bytes)) return false;
      const p = read(id);
      if (p !== undefined) profiles.set(id, codec.encode(p));
      return true;
    },
    async sweep(before) {
      const old = new Set<string>();
      for (const [id, at] of updatedAt) if (at < before) old.add(id);
      for (const [alias, target] of links) if (old.has(alias) || old.has(target)) links.delete(alias);
      for (const id of old) {
        profiles.delete(id);
        updatedAt.delete(id);
      }
      return old.size;
    },
    async close() {},
  };
}
