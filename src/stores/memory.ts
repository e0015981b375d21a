/**
 * In-memory drivers: profile store, event log and model store on Maps and
 * arrays. For tests and ephemeral runs; state lives as long as the process.
 *
 * Same semantics as the SQLite driver: profiles are kept as encoded bytes (so
 * the codec's bounds apply, and callers never share objects with the store),
 * events are deduplicated by (visitor, id) and read with a sequence cursor.
 * @module
 */
import { TesseraError } from '../core/errors.js';
import type { EventLog, ModelStore, ProfileStore } from '../core/ports.js';
import { mergeProfiles, type ProfileCodec, plainProfileCodec } from '../core/profile/index.js';
import type { LoggedEvent, Profile } from '../core/types.js';
import type { Stores } from './types.js';

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

function createMemoryProfileStore(name: string, now: () => number, codec: ProfileCodec): ProfileStore {
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

interface Row {
  seq: number;
  event: LoggedEvent;
}

/** JSON, not a separator character: no visitor/id pair can collide with another. */
const dedupeKey = (e: LoggedEvent) => JSON.stringify([e.visitor, e.id]);

function createMemoryEventLog(name: string): EventLog {
  /** Ascending by seq; deletions keep the order. */
  let rows: Row[] = [];
  const keys = new Set<string>();
  let lastSeq = 0;

  /** Index of the first row with seq > after (rows are sorted by seq). */
  const firstAfter = (after: number): number => {
    let lo = 0;
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (rows[mid]!.seq <= after) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  return {
    name,
    async append(events) {
      const added: LoggedEvent[] = [];
      for (const event of events) {
        const key = dedupeKey(event);
        if (keys.has(key)) continue;
        keys.add(key);
        // A copy, so a caller mutating its event later does not rewrite history.
        rows.push({ seq: ++lastSeq, event: structuredClone(event) });
        added.push(event);
      }
      return added;
    },
    async read(after, limit) {
      const start = firstAfter(after);
      const page = rows.slice(start, start + Math.max(0, limit));
      const last = page[page.length - 1];
      return { events: page.map((r) => structuredClone(r.event)), cursor: last ? last.seq : after };
    },
    async deleteVisitor(visitor) {
      const before = rows.length;
      rows = rows.filter((r) => {
        if (r.event.visitor !== visitor) return true;
        keys.delete(dedupeKey(r.event));
        return false;
      });
      return before - rows.length;
    },
    async count() {
      return rows.length;
    },
    async sweep(before) {
      const kept = rows.filter((r) => r.event.received >= before);
      for (const r of rows) if (r.event.received < before) keys.delete(dedupeKey(r.event));
      const n = rows.length - kept.length;
      rows = kept;
      return n;
    },
    async close() {},
  };
}

/** A model store that keeps the artifact in memory (tests, ephemeral runs). */
export function createMemoryModelStore(initial?: ArrayBuffer): ModelStore {
  // Copies on the way in and out: an artifact is immutable once published,
  // whatever the caller later does with its buffer.
  let artifact = initial?.slice(0);
  return {
    name: 'memory',
    async get() {
      return artifact?.slice(0);
    },
    async put(next) {
      artifact = next.slice(0);
    },
  };
}
