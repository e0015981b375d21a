/**
 * Profiles as the engine sees them: an in-process cache in front of the
 * durable store, the sealed cookie digest for decisions that must not wait
 * for the network, and the one write path (apply → log → merge) that ingest
 * and edge-observed views share.
 *
 * With `writeBehindMs`, ingest resolves once the events are in the log and
 * the in-process profile has them; the store merge follows, coalesced per
 * visitor (profile-writes.ts explains the trade-off). Without it, ingest
 * resolves once the store has the result (runtimes whose process may end
 * with the response, such as a Worker, keep it that way).
 * @module
 */
import { LruCache } from './cache/index.js';
import { pseudonymizeTrait, pseudonymizeUserId } from './identity/index.js';
import { KeyedMutex } from './keyed-mutex.js';
import { DailyEventQuota } from './limits/event-quota.js';
import type { Logger, ProfileStore } from './ports.js';
import { type PrivacyPolicy, privacyPolicy } from './privacy/minimize.js';
import { ErasureTombstones } from './privacy/tombstones.js';
import { readDigestCookie, sealDigestCookie } from './profile/digest-cookie.js';
import {
  applyEvents,
  emptyProfile,
  eraseProfile,
  HlcClock,
  isErased,
  makeDigest,
  mergeProfiles,
} from './profile/index.js';
import { ProfileChangeListeners } from './profile-change-listeners.js';
import { type ErasureParts, eraseVisitor } from './profile-erasure.js';
import { type DecisionRead, type DecisionReadParts, profileForDecision } from './profile-for-decision.js';
import { type IngestParts, ingestEvents } from './profile-ingest.js';
import type {
  CachedProfile,
  ErasureResult,
  IngestResult,
  ProfileChange,
  ProfileServiceOptions,
} from './profile-service-types.js';
import { ProfileWrites, storeBehindWrites } from './profile-writes.js';
import type { LoggedEvent, Profile, ProfileDigest, TesseraEvent } from './types.js';

export type {
  CachedProfile,
  ErasureResult,
  IngestFallback,
  IngestResult,
  ProfileChange,
  ProfileServiceOptions,
  ProfileSource,
} from './profile-service-types.js';

export class ProfileService {
  readonly cache: LruCache<string, CachedProfile>;
  private readonly mutex = new KeyedMutex();
  /**
   * Profiles with events the edge observed that are still being stored.
   * Decisions read these first, so the next page reflects an item page the
   * visitor just saw even when the store is slower than the visitor.
   */
  private readonly pending = new Map<string, Profile>();
  /**
   * The last digest cookie this node sealed per visitor. A page that brings
   * it back needs no unseal: the cached copy is at least as new. Any other
   * cookie may describe a later state than the cached copy (`forDecision`).
   */
  private readonly sealedHere: LruCache<string, string>;
  private readonly hlc: HlcClock;
  private readonly changes = new ProfileChangeListeners();
  private readonly privacy: PrivacyPolicy;
  private readonly quota: DailyEventQuota;
  /** Erased ids, refused for good (privacy/tombstones.ts). */
  readonly tombstones: ErasureTombstones;
  /** Profiles ahead of the store, written behind (only with `writeBehindMs`). */
  private readonly writes: ProfileWrites | undefined;
  /** Each profile ingest folded, to the one it folded it from (the write behind needs no merge then). */
  private readonly foldedFrom = new WeakMap<Profile, Profile>();

  constructor(private readonly o: ProfileServiceOptions) {
    this.cache = new LruCache({ maxEntries: o.cacheEntries ?? 50_000 });
    this.sealedHere = new LruCache({ maxEntries: o.cacheEntries ?? 50_000 });
    this.hlc = new HlcClock(o.settings.nodeId, { now: o.now });
    this.privacy = privacyPolicy(o.privacy);
    this.quota = new DailyEventQuota(this.privacy.maxEventsPerDay);
    // Writing behind already takes the store as this node's own (its memory is ahead of the store,
    // which no other node writes), so an id this node found live stays live until an erasure here.
    this.tombstones = new ErasureTombstones(o.store, o.ring, o.now, {
      soleWriter: o.writeBehindMs !== undefined,
    });
    if (o.writeBehindMs !== undefined) {
      this.writes = new ProfileWrites({
        delayMs: o.writeBehindMs,
        write: (visitor, profile, over) =>
          over === undefined ? o.store.merge(visitor, profile) : o.store.merge(visitor, profile, { over }),
        foldedFrom: (profile) => this.foldedFrom.get(profile),
        rememberEntries: o.cacheEntries ?? 50_000,
        written: (visitor, profile, merged) => this.written(visitor, profile, merged),
        failed: (_visitor, error) =>
          o.logger.warn('[tessera] [ingest] profile write failed; retrying', { error: String(error) }),
      });
    }
    this.store = this.writes ? storeBehindWrites(o.store, this.writes) : o.store;
    this.ingestParts = {
      nodeId: o.settings.nodeId,
      log: o.log,
      logger: o.logger,
      now: o.now,
      fallback: o.fallback,
      accounting: o.accounting,
      privacy: this.privacy,
      quota: this.quota,
      tombstones: this.tombstones,
      cache: this.cache,
      pending: this.pending,
      writes: this.writes,
      foldedFrom: this.foldedFrom,
      load: (visitor) => this.load(visitor),
      merge: (visitor, profile) => o.store.merge(visitor, profile),
      applyAll: (start, events) => this.applyAll(start, events),
      emit: (change, log) => this.emit(change, log),
      pseudonym: (userId) => this.pseudonym(userId),
      traitPseudonym: (value) => this.traitPseudonym(value),
    };
    this.decisionParts = {
      nodeId: o.settings.nodeId,
      storeBudgetMs: o.settings.storeBudgetMs,
      logger: o.logger,
      now: o.now,
      observed: this.pending,
      cached: (id) => this.cached(id),
      sealedHere: (id) => this.sealedHere.get(id),
      readDigest: (id, cookie) => this.readDigest(id, cookie),
      dropCached: (id) => this.cache.delete(id),
      load: (id) => this.load(id),
    };
    this.erasureParts = {
      store: o.store,
      log: o.log,
      held: {
        has: (visitor) => this.pending.has(visitor) || this.cache.get(visitor) !== undefined,
        delete: (visitor) => {
          this.pending.delete(visitor);
          this.cache.delete(visitor);
        },
      },
      quota: this.quota,
      tombstones: this.tombstones,
      writes: this.writes,
      onErase: o.onErase,
    };
  }

  /** What the write path, the decision's read and the erasure work on. */
  private readonly ingestParts: IngestParts;
  private readonly decisionParts: DecisionReadParts;
  private readonly erasureParts: ErasureParts;

  /**
   * The store as the rest of the engine should read it: a read of a visitor
   * first waits for the profile written behind (an export, another node
   * asking, a test see what this node has), and a delete first drops what
   * waits to be written, so it cannot come back after the delete.
   */
  readonly store: ProfileStore;

  /** A write-behind landed: cache what the store holds, unless this node has moved on since. */
  private written(visitor: string, profile: Profile, merged: Profile): void {
    const cached = this.cache.get(visitor);
    // A newer profile (cached or queued) includes `profile`; its own write will bring back what the store added.
    if ((!cached || cached.profile === profile) && this.writes?.unsaved(visitor) === undefined)
      this.cache.set(visitor, { profile: merged, changedAt: cached?.changedAt ?? this.o.now() });
    this.emit({ visitor, profile: merged });
  }

  /** Write every profile still waiting for the store (shutdown); resolves when they are stored. */
  async flush(): Promise<void> {
    const lost = (await this.writes?.flush()) ?? 0;
    if (lost > 0)
      this.o.logger.error(
        '[tessera] [ingest] profile writes lost at shutdown (their events are in the log)',
        {
          profiles: lost,
        },
      );
  }

  /**
   * The profile for a decision, never blocking past the budget: cache, cookie digest, then the store
   * within `storeBudgetMs`; no promise when this node's memory answers (the page path's usual case).
   */
  forDecision(
    id: string,
    digestCookie: string | undefined,
    log?: Logger,
  ): DecisionRead | Promise<DecisionRead> {
    return profileForDecision(this.decisionParts, id, digestCookie, log);
  }

  /** The profile this node holds in memory: cached, or written behind and not stored yet. */
  private cached(id: string): CachedProfile | undefined {
    const hit = this.cache.get(id);
    if (hit) return hit;
    const unsaved = this.writes?.unsaved(id);
    if (unsaved === undefined) return undefined;
    const entry: CachedProfile = { profile: unsaved, changedAt: lastChange(unsaved) };
    this.cache.set(id, entry);
    return entry;
  }

  /** Read through to the store and fill the cache. */
  async load(id: string): Promise<CachedProfile | undefined> {
    const cached = this.cached(id);
    if (cached) return cached;
    const p = await this.o.store.get(id);
    if (!p || isErased(p)) return undefined;
    const entry: CachedProfile = { profile: p, changedAt: lastChange(p) };
    if (!this.cache.get(id)) this.cache.set(id, entry);
    return this.cache.get(id);
  }

  /** Apply events for a visitor (profile-ingest.ts), serialised per visitor on this node. */
  ingest(visitor: string, raw: TesseraEvent[], log?: Logger): Promise<IngestResult> {
    return this.mutex.run(visitor, () => ingestEvents(this.ingestParts, visitor, raw, log));
  }

  /** True when `id` is known not erased without asking the store (`erasedIfKnown` would say false). */
  knownLive(id: string): boolean {
    return this.tombstones.liveNow(id);
  }

  /**
   * Whether `id` was erased, for resolving a request's visitor. While the store is down
   * (degraded mode) the answer is "not as far as we know": ingest checks again, and a
   * deferred write is checked against the stored tombstone when it is replayed.
   */
  async erasedIfKnown(id: string): Promise<boolean> {
    try {
      return await this.tombstones.erasedCached(id);
    } catch (e) {
      if (this.o.fallback?.isUnavailable(e)) return false;
      throw e;
    }
  }

  /** The pseudonym the log, the links and the profile keep for a user id. */
  pseudonym(userId: string): Promise<string> {
    return pseudonymizeUserId(this.o.ring, userId);
  }

  /** The pseudonym a personal identify trait (an email, a phone number) is kept as. */
  traitPseudonym(value: string | number | boolean): Promise<string> {
    return pseudonymizeTrait(this.o.ring, value);
  }

  /**
   * Store events deferred while the store was down: applied to the stored
   * profile (an event it already has changes nothing), merged back, cached,
   * announced. Throws, keeping them deferred, while the store is still down.
   */
  applyDeferred(visitor: string, events: LoggedEvent[]): Promise<Profile> {
    return this.mutex.run(visitor, async () => {
      const stored = await this.o.store.get(visitor);
      if (stored && isErased(stored)) return stored;
      if (await this.tombstones.erased(visitor)) {
        this.pending.delete(visitor);
        return eraseProfile(this.o.now());
      }
      const merged = await this.o.store.merge(
        visitor,
        this.applyAll(stored ?? emptyProfile(this.o.now()), events),
      );
      const cached = this.cache.get(visitor);
      const profile = cached ? mergeProfiles(cached.profile, merged) : merged;
      this.cache.set(visitor, { profile, changedAt: this.o.now() });
      this.pending.delete(visitor);
      this.emit({ visitor, profile: merged });
      return merged;
    });
  }

  /**
   * Events the edge observed while serving a page: the decision uses the
   * profile with them applied at once, and they are stored in the background
   * (`stored` settles when the store has them; it never rejects).
   */
  observe(
    visitor: string,
    base: Profile | undefined,
    events: TesseraEvent[],
    /** The logger of the request the edge served (request-logger.ts): these events are its own. */
    log: Logger = this.o.logger,
  ): { profile: Profile; stored: Promise<void> } {
    const profile = this.preview(base, events);
    this.pending.set(visitor, profile);
    const stored = this.ingest(visitor, events, log).then(
      () => {},
      (e) => log.warn('[tessera] edge-observed events not stored', { error: String(e) }),
    );
    const settled = stored.finally(() => {
      if (this.pending.get(visitor) === profile) this.pending.delete(visitor);
    });
    return { profile, stored: settled };
  }

  /** What the profile will look like once `events` are applied, for this very decision. */
  preview(profile: Profile | undefined, events: TesseraEvent[]): Profile {
    return this.applyAll(profile ?? emptyProfile(this.o.now()), events);
  }

  private applyAll(start: Profile, events: readonly TesseraEvent[]): Profile {
    return applyEvents(start, events, {
      node: this.o.settings.nodeId,
      at: () => this.hlc.now(),
      halfLifeMs: this.o.settings.halfLifeMs,
      item: this.o.item,
    });
  }

  /**
   * The one erasure path (profile-erasure.ts says what it removes), under the
   * visitor's lock so an ingest for the same id finishes before it or starts
   * after it and meets the tombstone; then announced (the bus sends it to the
   * other nodes as a tombstone). `remote`: another node announced it; carried
   * out here too, but not sent on.
   */
  async erase(visitor: string, opts: { remote?: boolean } = {}): Promise<ErasureResult> {
    const result = await this.mutex.run(visitor, () => eraseVisitor(this.erasureParts, visitor));
    this.emit({ visitor, erased: true, ...(opts.remote ? { remote: true } : {}) });
    return result;
  }

  /**
   * The visitor's profile as this node holds it: memory first (cached, or
   * written behind), else the store; undefined when none or erased.
   */
  async peek(id: string): Promise<Profile | undefined> {
    const p = this.held(id) ?? (await this.store.get(id));
    return p && !isErased(p) ? p : undefined;
  }

  /** The profile this node holds in memory for `id`, if any (no store read). */
  held(id: string): Profile | undefined {
    return this.pending.get(id) ?? this.cached(id)?.profile;
  }

  /** Drop every cached profile (a shared store has what this node missed while cut off). */
  dropCache(): void {
    this.cache.clear();
  }

  /**
   * Merge a profile received from elsewhere (another node, the digest) into
   * the cached copy, and into the store too when `intoStore` (a store of this
   * node's own). Serialised with ingest, so neither overwrites the other.
   */
  async mergeRemote(visitor: string, remote: Profile, opts: { intoStore?: boolean } = {}): Promise<void> {
    await this.mutex.run(visitor, async () => {
      // A delta sent before an erasure may arrive after it: an erased id never grows a profile again.
      if (opts.intoStore && (await this.tombstones.erased(visitor))) return;
      const stored = opts.intoStore ? await this.o.store.merge(visitor, remote) : remote;
      const cached = this.cache.get(visitor);
      if (cached)
        this.cache.set(visitor, { profile: mergeProfiles(cached.profile, stored), changedAt: this.o.now() });
    });
  }

  /** Drop what this node holds in memory about a visitor (another node erased it). */
  forget(visitor: string): void {
    this.pending.delete(visitor);
    this.cache.delete(visitor);
    this.tombstones.forget(visitor);
    void this.writes?.cancel(visitor);
  }

  /** Hear about every change this node makes (the bus publishes them); returns an unsubscribe. */
  onChange(listener: (change: ProfileChange) => void): () => void {
    return this.changes.add(listener);
  }

  private emit(change: ProfileChange, log: Logger = this.o.logger): void {
    this.changes.emit(change, log);
  }

  async sealDigest(visitor: string, entry: CachedProfile, segments: string[]): Promise<string> {
    const d = makeDigest(entry.profile, segments, this.o.now(), this.o.settings.halfLifeMs);
    const sealed = await sealDigestCookie(this.o.ring, visitor, d);
    this.sealedHere.set(visitor, sealed);
    return sealed;
  }

  private readDigest(id: string, cookie: string | undefined): Promise<ProfileDigest | undefined> {
    return readDigestCookie(this.o.ring, id, cookie);
  }
}

function lastChange(p: Profile): number {
  return p.recent[0]?.at.p ?? p.landmark;
}
