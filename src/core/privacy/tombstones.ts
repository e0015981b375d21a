/**
 * Erasure tombstones: once a visitor id is erased (consent withdrawn,
 * `DELETE /privacy/me`, the admin API) it never grows a profile again, even
 * when the old signed cookie comes back (a stale tab, a restored backup of
 * the browser, a script replaying it). The signed id stays cryptographically
 * valid forever, so the store must remember the refusal.
 *
 * The tombstone is the profile CRDT's own (`eraseProfile`: empty, wins every
 * merge), kept in the profile store under a keyed hash of the id instead of
 * the id: erasure leaves no visitor id on disk, and no one without the key
 * ring can tell which id a tombstone is for. Every store driver holds it
 * without a change; retention sweeps it like any profile, after which a
 * cookie older than the retention period (the id cookie lives a year, the
 * default retention) would be accepted again.
 *
 * Reads: ingest asks the store every time (authoritative: nothing is ever
 * stored under a tombstoned id); page and `/collect` identity resolution
 * asks through a short per-node memo of ids known to be live, which an
 * erasure on this node (or one announced by another) clears at once.
 * @module
 */
import { LruCache } from '../cache/index.js';
import type { KeyRing } from '../identity/index.js';
import type { ProfileStore } from '../ports.js';
import { eraseProfile, isErased } from '../profile/index.js';

const enc = new TextEncoder();
/** Cannot collide with a visitor id (22 base64url characters) or a pseudonym (`u_` + hex). */
/** Store keys of erasure tombstones start with this. */
export const TOMBSTONE_PREFIX = 'erased:';
const KEY_PREFIX = TOMBSTONE_PREFIX;
const LIVE_FOR_MS = 30_000;

export class ErasureTombstones {
  /** Ids checked not erased, with when: spares the store a read on every page. */
  private readonly live: LruCache<string, number>;

  constructor(
    private readonly store: ProfileStore,
    private readonly ring: KeyRing,
    private readonly now: () => number,
  ) {
    this.live = new LruCache({ maxEntries: 50_000 });
  }

  /** The store key of an id's tombstone: `erased:` + HMAC-SHA256 (domain-separated) in hex. */
  async key(id: string): Promise<string> {
    const mac = await crypto.subtle.sign('HMAC', await this.ring.pseudonym(), enc.encode(`tsr-erased:${id}`));
    let hex = '';
    for (const b of new Uint8Array(mac)) hex += b.toString(16).padStart(2, '0');
    return KEY_PREFIX + hex;
  }

  /** Remember for good that `id` was erased. */
  async record(id: string): Promise<void> {
    this.live.delete(id);
    await this.store.merge(await this.key(id), eraseProfile(this.now()));
  }

  /** Whether `id` was erased: always asks the store. */
  async erased(id: string): Promise<boolean> {
    const t = await this.store.get(await this.key(id));
    return t !== undefined && isErased(t);
  }

  /** Whether `id` was erased, answered from the memo of live ids when it is fresh. */
  async erasedCached(id: string): Promise<boolean> {
    const at = this.live.get(id);
    if (at !== undefined && this.now() - at < LIVE_FOR_MS) return false;
    const gone = await this.erased(id);
    if (!gone) this.live.set(id, this.now());
    return gone;
  }

  /** Another node erased `id`: stop trusting the memo for it. */
  forget(id: string): void {
    this.live.delete(id);
  }
}
