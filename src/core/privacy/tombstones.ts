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
 * Reads: a per-node memo of ids checked not erased. Page and `/collect`
 * identity resolution trust it for a short while. Ingest trusts it only on a
 * node that is the sole writer of its store (`soleWriter`: the embedded
 * store, profiles written behind): there every erasure of that store passes
 * through this node's erasure path, which clears the id from the memo under
 * the visitor's lock (an erasure announced by another node arrives by the bus
 * and takes the same path), so a remembered "not erased" stays true until
 * then. Elsewhere (a store other nodes write too) ingest asks the store every
 * time. A read that overlaps an erasure never fills the memo (`epoch`).
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

export interface TombstoneOptions {
  /** This node alone writes the store, and every erasure of it goes through `record`/`forget`. */
  soleWriter?: boolean;
}

export class ErasureTombstones {
  /** Ids checked not erased, with when: spares the store a read per page (and per batch, sole writer). */
  private readonly live: LruCache<string, number>;
  /** Bumped by every erasure: a read that started before one must not fill the memo after it. */
  private epoch = 0;
  /** Store reads in flight, by id, with the epoch each started in. */
  private readonly reading = new Map<string, { epoch: number; answer: Promise<boolean> }>();
  private readonly soleWriter: boolean;

  constructor(
    private readonly store: ProfileStore,
    private readonly ring: KeyRing,
    private readonly now: () => number,
    opts: TombstoneOptions = {},
  ) {
    this.live = new LruCache({ maxEntries: 50_000 });
    this.soleWriter = opts.soleWriter === true;
  }

  /** The store key of an id's tombstone: `erased:` + HMAC-SHA256 (domain-separated) in hex. */
  async key(id: string): Promise<string> {
    const mac = await this.ring.mac('user-pseudonym', enc.encode(`tsr-erased:${id}`));
    let hex = '';
    for (const b of mac) hex += b.toString(16).padStart(2, '0');
    return KEY_PREFIX + hex;
  }

  /** Remember for good that `id` was erased. */
  async record(id: string): Promise<void> {
    this.forget(id);
    await this.store.merge(await this.key(id), eraseProfile(this.now()));
  }

  /**
   * Whether `id` was erased, for ingest: from the memo on a sole writer (see
   * the module note), else from the store.
   */
  async erased(id: string): Promise<boolean> {
    if (this.soleWriter && this.live.get(id) !== undefined) return false;
    return this.read(id);
  }

  /** Whether `id` was erased, answered from the memo of live ids when it is fresh. */
  async erasedCached(id: string): Promise<boolean> {
    if (this.liveNow(id)) return false;
    return this.read(id);
  }

  /** Whether the memo of live ids answers "not erased" for `id` now (no store read, no promise). */
  liveNow(id: string): boolean {
    const at = this.live.get(id);
    return at !== undefined && (this.soleWriter || this.now() - at < LIVE_FOR_MS);
  }

  /** Erased on this node, or announced by another: stop trusting the memo for it. */
  forget(id: string): void {
    this.epoch++;
    this.live.delete(id);
  }

  /**
   * Asks the store; a "not erased" read with no erasure since it started goes in the memo.
   * A request's identity check and its ingest ask at once for a new id: they share one read,
   * unless an erasure came after it started.
   */
  private read(id: string): Promise<boolean> {
    const epoch = this.epoch;
    const shared = this.reading.get(id);
    if (shared && shared.epoch === epoch) return shared.answer;
    const answer = (async () => {
      const t = await this.store.get(await this.key(id));
      const gone = t !== undefined && isErased(t);
      if (!gone && epoch === this.epoch) this.live.set(id, this.now());
      return gone;
    })();
    const entry = { epoch, answer };
    this.reading.set(id, entry);
    const done = () => {
      if (this.reading.get(id) === entry) this.reading.delete(id);
    };
    answer.then(done, done);
    return answer;
  }
}
