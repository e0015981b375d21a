/**
 * Write-behind for profile writes. Ingest folds a batch into the in-process
 * profile at once (the next page on this node sees it) and hands the result
 * here; the store write happens after a short delay, at most one per visitor
 * in flight, with whatever the visitor's profile is by then. Several batches
 * of one visitor in quick succession become one store write (one encode, one
 * encryption), and the visitors due together reach the store a few dozen per
 * event-loop turn, where a store that groups commits (SQLite) writes each
 * turn's in one transaction. A store's write is synchronous work on the loop
 * (SQLite: decode, merge, encode, encrypt, upsert, about 50-100 µs each):
 * a hundred visitors due at once written in one turn held every request
 * behind them for 5-35 ms, which made ingest's p99 four times its p50. The
 * rest follow on the next turns (a zero-delay timer), with requests answered
 * in between.
 *
 * The trade-off: the event log is the source of truth and is written before
 * `/collect` answers; the stored profile is derived and may trail it by the
 * delay (plus a write in flight). A clean shutdown flushes (`flush`); a crash
 * loses at most that window of profile updates, never events. Other nodes
 * hear of a change once it is stored.
 *
 * A write names the profile it was folded from when that is the one the
 * store returned for the visitor last (`over`, see ProfileStore.merge): a
 * store still holding it stores the new profile as it is, without a merge.
 *
 * Erasure: `cancel` drops the visitor's queued write and disowns the one in
 * flight (its result is neither cached nor announced), and resolves when that
 * write has settled, so the caller deletes after it: nothing written behind
 * can bring an erased profile back.
 * @module
 */
import { LruCache } from './cache/index.js';
import type { ProfileStore } from './ports.js';
import type { Profile } from './types.js';

export interface ProfileWritesOptions {
  /** How long a changed profile waits before its store write (ms). */
  delayMs: number;
  /** After a failed write, how long before trying again (ms, default 1000). */
  retryMs?: number;
  /**
   * The store write (the store's CRDT merge); resolves to the stored result. `over`: the result
   * of the visitor's last write here, when `profile` was folded from it.
   */
  write(visitor: string, profile: Profile, over?: Profile): Promise<Profile>;
  /** The profile `profile` was folded from, if it was (one step: ingest folds a batch onto it). */
  foldedFrom?(profile: Profile): Profile | undefined;
  /** Visitors whose last stored result is remembered for `over` (default 50,000). */
  rememberEntries?: number;
  /** A write this queue still owns landed: `merged` is what the store holds now. */
  written(visitor: string, profile: Profile, merged: Profile): void;
  /** A write failed; it stays queued and is tried again. */
  failed(visitor: string, error: unknown): void;
}

interface InFlight {
  profile: Profile;
  done: Promise<void>;
}

/** Batches folded between two writes of a visitor that are followed back to the last one stored. */
const MAX_FOLD_STEPS = 64;
/** Store writes started per event-loop turn; the rest start on the next turns (see above). */
export const WRITES_PER_TURN = 32;

export class ProfileWrites {
  private readonly queued = new Map<string, Profile>();
  private readonly inFlight = new Map<string, InFlight>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  /** What the store returned for each visitor's last write here (the `over` of the next one). */
  private readonly stored: LruCache<string, Profile>;

  constructor(private readonly o: ProfileWritesOptions) {
    this.stored = new LruCache({ maxEntries: o.rememberEntries ?? 50_000 });
  }

  /** The visitor's last stored result, when `profile` was folded from it in a few steps. */
  private over(visitor: string, profile: Profile): Profile | undefined {
    const last = this.stored.get(visitor);
    if (last === undefined || !this.o.foldedFrom) return undefined;
    let p: Profile | undefined = profile;
    for (let steps = 0; p !== undefined && steps < MAX_FOLD_STEPS; steps++) {
      if (p === last) return last;
      p = this.o.foldedFrom(p);
    }
    return undefined;
  }

  /** The newest profile of the visitor not yet in the store, if any. */
  unsaved(visitor: string): Profile | undefined {
    return this.queued.get(visitor) ?? this.inFlight.get(visitor)?.profile;
  }

  /** Queue the visitor's profile as it is now; replaces a queued older one (it includes it). */
  put(visitor: string, profile: Profile): void {
    this.queued.set(visitor, profile);
    this.arm(this.o.delayMs);
  }

  /** Write the visitor's queued profile now, and resolve once nothing of theirs waits (or a write failed). */
  async settle(visitor: string): Promise<void> {
    if (this.queued.has(visitor) && !this.inFlight.has(visitor)) this.start(visitor);
    const flight = this.inFlight.get(visitor);
    if (!flight) return;
    await flight.done;
    // Queued behind the one that was in flight: written at once by `arm(0)`; wait for it too.
    if (this.queued.has(visitor) && !this.inFlight.has(visitor)) this.start(visitor);
    await this.inFlight.get(visitor)?.done;
  }

  /** Forget the visitor's pending writes; resolves once a write already started has settled. */
  cancel(visitor: string): Promise<void> {
    this.queued.delete(visitor);
    this.stored.delete(visitor);
    const flight = this.inFlight.get(visitor);
    this.inFlight.delete(visitor);
    return flight ? flight.done : Promise.resolve();
  }

  /**
   * Write everything queued now and wait for it (shutdown). A write that
   * fails `attempts` times is dropped; returns how many were (their events
   * are in the log).
   */
  async flush(attempts = 3): Promise<number> {
    for (let i = 0; i < attempts && this.size > 0; i++) {
      this.startDue(Number.POSITIVE_INFINITY);
      await Promise.all([...this.inFlight.values()].map((f) => f.done));
    }
    const lost = this.size;
    this.queued.clear();
    this.inFlight.clear();
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    return lost;
  }

  /** Profiles waiting for the store (queued or in flight). */
  get size(): number {
    return new Set([...this.queued.keys(), ...this.inFlight.keys()]).size;
  }

  private arm(delayMs: number): void {
    const at = Date.now() + delayMs;
    if (this.timer !== undefined && this.timerAt <= at) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.startDue();
    }, delayMs);
    // A pending write must not keep a Node process alive; `flush` on close writes it.
    (this.timer as { unref?: () => void }).unref?.();
  }

  /**
   * Start a write for queued visitors without one in flight (the others follow theirs), at most
   * `limit`, oldest queued first; when more wait, the next turn starts the next ones.
   */
  private startDue(limit = WRITES_PER_TURN): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    let started = 0;
    for (const visitor of [...this.queued.keys()]) {
      if (this.inFlight.has(visitor)) continue;
      if (started === limit) {
        this.arm(0);
        return;
      }
      this.start(visitor);
      started++;
    }
  }

  private start(visitor: string): void {
    const profile = this.queued.get(visitor);
    if (profile === undefined) return;
    this.queued.delete(visitor);
    const flight: InFlight = { profile, done: Promise.resolve() };
    const owned = () => this.inFlight.get(visitor) === flight;
    const over = this.over(visitor, profile);
    flight.done = this.o.write(visitor, profile, over).then(
      (merged) => {
        if (!owned()) return;
        this.inFlight.delete(visitor);
        this.stored.set(visitor, merged);
        this.o.written(visitor, profile, merged);
        if (this.queued.has(visitor)) this.arm(0);
      },
      (error) => {
        if (!owned()) return;
        this.inFlight.delete(visitor);
        // What the store holds now is not known: the next write merges.
        this.stored.delete(visitor);
        // A newer queued profile includes this one; otherwise this one goes back.
        if (!this.queued.has(visitor)) this.queued.set(visitor, profile);
        this.o.failed(visitor, error);
        this.arm(this.o.retryMs ?? 1000);
      },
    );
    this.inFlight.set(visitor, flight);
  }
}

/**
 * The store as the rest of the engine should read it while profiles are
 * written behind: a read of a visitor first waits for the profile written
 * behind (an export, another node asking, a test see what this node has),
 * and a delete first drops what waits to be written, so it cannot come back
 * after the delete.
 */
export function storeBehindWrites(store: ProfileStore, writes: ProfileWrites): ProfileStore {
  return {
    ...bindAll(store),
    name: store.name,
    async get(id) {
      await writes.settle(id);
      return store.get(id);
    },
    async delete(id) {
      await writes.cancel(id);
      return store.delete(id);
    },
  };
}

/** The store's methods bound to it, so a view can spread them. */
function bindAll(store: ProfileStore): ProfileStore {
  const out: Record<string, unknown> = { name: store.name };
  for (const key of [
    'get',
    'merge',
    'delete',
    'link',
    'resolve',
    'aliases',
    'unlink',
    'sweep',
    'ids',
    'reencrypt',
    'close',
  ] as const) {
    const f = store[key];
    if (typeof f === 'function') out[key] = f.bind(store);
  }
  return out as unknown as ProfileStore;
}
