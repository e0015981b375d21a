/**
 * Profiles in Cloudflare Workers KV, shaped by KV's two limits:
 *
 * - One write per second per key. Merges to one visitor are coalesced in the
 *   isolate: the first write of a key goes out at once, later merges within
 *   the same second fold into a buffered view (CRDT `mergeProfiles`) that is
 *   flushed once the second is over. `settle()` resolves when every scheduled
 *   flush is done; the Worker entry hands it to `ctx.waitUntil`.
 * - Eventual propagation (up to ~60 s between locations). Every flush first
 *   re-reads the stored profile and merges it in, so what another isolate
 *   wrote is kept unless both wrote inside the same propagation window.
 *   Read-your-writes comes from the isolate's buffer (`get` merges it over
 *   the KV value) and, across isolates, from the sealed profile cookie the
 *   engine sets. Sites that need strict per-visitor consistency use the
 *   Durable Object store instead.
 *
 * Identity links live in the same namespace (see `kv-links.ts`). Profiles are
 * written through `codec` (the Worker passes the WebCrypto AES-GCM one, so
 * they are encrypted at rest); plain blobs already stored stay readable.
 * @module
 */

import type { KVNamespaceLike } from '../connections/cloudflare-bindings.js';
import { TesseraError } from '../core/errors.js';
import { KeyedMutex } from '../core/keyed-mutex.js';
import type { ProfileStore } from '../core/ports.js';
import { decodeProfile, encodeProfile, mergeProfiles } from '../core/profile/index.js';
import type { Profile } from '../core/types.js';
import { type AsyncProfileCodec, plainAsyncProfileCodec } from './async-profile-codec.js';
import { createKvLinks } from './kv-links.js';

export interface KvProfileStoreOptions {
  kv: KVNamespaceLike;
  /** Prepended to every key, to share a namespace between sites or tests. */
  prefix?: string;
  /** Least time between two writes of one key, ms (KV allows one per second). */
  writeIntervalMs?: number;
  /** Most buffered visitors kept for read-your-writes once written (default 1000). */
  maxBuffered?: number;
  now?: () => number;
  /** Where a failed background flush is reported. */
  onError?: (error: TesseraError) => void;
  /** Profile bytes at rest (default: plain; the Worker passes the encrypting codec). */
  codec?: AsyncProfileCodec;
}

export interface KvProfileStore extends ProfileStore {
  /** Resolves when every scheduled flush has been written. */
  settle(): Promise<void>;
}

interface Slot {
  view: Profile;
  dirty: boolean;
  lastWriteAt: number;
  flush: Promise<void> | undefined;
}

const NAME = 'cloudflare-kv';

function kvError(what: string, cause: unknown): TesseraError {
  return new TesseraError(500, `[tessera] [${NAME}] ${what} failed`, { cause });
}

const copy = (p: Profile): Profile => decodeProfile(encodeProfile(p));

export function createKvProfileStore(o: KvProfileStoreOptions): KvProfileStore {
  const { kv } = o;
  const prefix = o.prefix ?? '';
  const interval = o.writeIntervalMs ?? 1000;
  const maxBuffered = o.maxBuffered ?? 1000;
  const now = o.now ?? Date.now;
  const onError = o.onError ?? (() => {});
  const codec = o.codec ?? plainAsyncProfileCodec;
  const key = (id: string) => `${prefix}p:${id}`;
  const slots = new Map<string, Slot>();
  const flushes = new Set<Promise<void>>();
  const mutex = new KeyedMutex();
  const links = createKvLinks(kv, prefix, NAME);

  async function read(id: string): Promise<Profile | undefined> {
    let bytes: ArrayBuffer | null;
    try {
      bytes = await kv.get(key(id), 'arrayBuffer');
    } catch (e) {
      throw kvError(`get "${id}"`, e);
    }
    if (bytes === null) return undefined;
    try {
      return await codec.decode(new Uint8Array(bytes));
    } catch (e) {
      throw new TesseraError(500, `[tessera] [${NAME}] corrupt profile "${id}"`, { cause: e });
    }
  }

  /** Re-read, merge what others wrote, write. Runs under the key's mutex. */
  async function write(id: string, slot: Slot): Promise<void> {
    const stored = await read(id);
    if (stored) slot.view = mergeProfiles(stored, slot.view);
    slot.dirty = false;
    slot.lastWriteAt = now();
    try {
      await kv.put(key(id), await codec.encode(slot.view));
    } catch (e) {
      slot.dirty = true;
      throw kvError(`put "${id}"`, e);
    }
  }

  function schedule(id: string, slot: Slot): void {
    if (slot.flush) return;
    const wait = Math.max(0, slot.lastWriteAt + interval - now());
    const flush = new Promise<void>((r) => setTimeout(r, wait))
      .then(() =>
        mutex.run(id, async () => {
          slot.flush = undefined;
          // A delete in between dropped the slot: its data must not come back.
          if (slots.get(id) === slot && slot.dirty) await write(id, slot);
        }),
      )
      .catch((e: unknown) => onError(e instanceof TesseraError ? e : kvError(`flush "${id}"`, e)))
      .finally(() => flushes.delete(flush));
    slot.flush = flush;
    flushes.add(flush);
  }

  /** Forget clean, idle slots beyond the bound (oldest first). */
  function prune(): void {
    if (slots.size <= maxBuffered) return;
    for (const [id, slot] of slots) {
      if (slots.size <= maxBuffered) break;
      if (!slot.dirty && !slot.flush) slots.delete(id);
    }
  }

  return {
    name: NAME,
    async get(id) {
      const stored = await read(id);
      const slot = slots.get(id);
      if (!slot) return stored;
      return copy(stored ? mergeProfiles(stored, slot.view) : slot.view);
    },
    merge(id, delta) {
      return mutex.run(id, async () => {
        let slot = slots.get(id);
        if (slot) {
          slot.view = mergeProfiles(slot.view, delta);
          slot.dirty = true;
        } else {
          const stored = await read(id);
          slot = {
            view: stored ? mergeProfiles(stored, delta) : delta,
            dirty: true,
            lastWriteAt: Number.NEGATIVE_INFINITY,
            flush: undefined,
          };
          slots.set(id, slot);
          prune();
        }
        if (!slot.flush && now() - slot.lastWriteAt >= interval) await write(id, slot);
        else schedule(id, slot);
        return copy(slot.view);
      });
    },
    delete(id) {
      return mutex.run(id, async () => {
        slots.delete(id);
        try {
          await kv.delete(key(id));
        } catch (e) {
          throw kvError(`delete "${id}"`, e);
        }
      });
    },
    link: links.link,
    resolve: links.resolve,
    aliases: links.aliases,
    unlink: links.unlink,
    async settle() {
      while (flushes.size > 0) await Promise.all([...flushes]);
    },
    async close() {
      while (flushes.size > 0) await Promise.all([...flushes]);
    },
  };
}
