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
import type { CatalogItem, EngineSettings, SitePrivacy } from './config.js';
import { type KeyRing, pseudonymizeTrait, pseudonymizeUserId } from './identity/index.js';
import { KeyedMutex } from './keyed-mutex.js';
import { DailyEventQuota } from './limits/event-quota.js';
import type { LossAccounting } from './loss-accounting.js';
import type { EventLog, Logger, ProfileStore } from './ports.js';
import {
  minimizeEvent,
  type PrivacyPolicy,
  privacyPolicy,
  pseudonymizeIdentify,
} from './privacy/minimize.js';
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
  profileFromDigest,
} from './profile/index.js';
import type {
  CachedProfile,
  ErasureResult,
  IngestFallback,
  IngestResult,
  ProfileChange,
  ProfileSource,
} from './profile-service-types.js';
import { ProfileWrites, storeBehindWrites } from './profile-writes.js';
import { dropRepeatViews } from './repeat-views.js';
import type { LoggedEvent, Profile, ProfileDigest, TesseraEvent } from './types.js';

export type {
  CachedProfile,
  ErasureResult,
  IngestFallback,
  IngestResult,
  ProfileChange,
  ProfileSource,
} from './profile-service-types.js';

export interface ProfileServiceOptions {
  settings: EngineSettings;
  ring: KeyRing;
  store: ProfileStore;
  log: EventLog;
  logger: Logger;
  now: () => number;
  item: (id: string) => CatalogItem | undefined;
  cacheEntries?: number;
  fallback?: IngestFallback | undefined;
  /** The site's privacy config: what of forms, searches and traits is kept, the daily event quota. */
  privacy?: SitePrivacy | undefined;
  /** Write profiles behind ingest after this delay (ms); unset: ingest waits for the store. */
  writeBehindMs?: number | undefined;
  /** Called inside every erasure, under the visitor's lock, after the store and log deletes. */
  onErase?: ((visitor: string, linkedTo: string | undefined) => Promise<void>) | undefined;
  /** Where ingest counts what it stored, deduplicated and dropped (loss-accounting.ts). */
  accounting?: LossAccounting | undefined;
}

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
  private readonly listeners = new Set<(change: ProfileChange) => void>();
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
  }

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
   * The profile for a decision, without ever blocking past the budget:
   * cache, then the cookie digest, then the store within `storeBudgetMs`.
   */
  async forDecision(
    id: string,
    digestCookie: string | undefined,
  ): Promise<{ entry: CachedProfile | undefined; source: ProfileSource }> {
    const observed = this.pending.get(id);
    if (observed) return { entry: { profile: observed, changedAt: this.o.now() }, source: 'cache' };
    const hit = this.cached(id);
    if (hit && (!digestCookie || this.sealedHere.get(id) === digestCookie))
      return { entry: hit, source: 'cache' };
    const digest = await this.readDigest(id, digestCookie);
    if (hit && (!digest || digest.at <= hit.changedAt)) return { entry: hit, source: 'cache' };
    if (digest) {
      // A cookie sealed elsewhere (another isolate or node) after this copy changed: the visitor's
      // events since then went there, and the store may not show them yet (KV). The cookie is the
      // newer state; the copy here is dropped and read again.
      if (hit) this.cache.delete(id);
      // Warm the cache from the store in the background for the next request.
      void this.load(id).catch((e) =>
        this.o.logger.warn('[tessera] profile prefetch failed', { error: String(e) }),
      );
      return {
        entry: { profile: profileFromDigest(digest, this.o.settings.nodeId), changedAt: digest.at },
        source: 'cookie',
      };
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.o.settings.storeBudgetMs);
    });
    try {
      // A store that is down never fails a page: decide without the profile.
      const load = this.load(id).catch((e) => {
        this.o.logger.warn('[tessera] profile read failed', { error: String(e) });
        return 'unavailable' as const;
      });
      const r = await Promise.race([load, timeout]);
      if (r === 'unavailable') return { entry: undefined, source: 'unavailable' };
      if (r === 'timeout') return { entry: undefined, source: 'timeout' };
      return { entry: r, source: r ? 'store' : 'none' };
    } finally {
      clearTimeout(timer);
    }
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

  /**
   * Apply events for a visitor: minimise them (privacy/minimize.ts), log
   * first (dedupe by id), then apply the new ones and merge into the store.
   * Past the visitor's daily quota, events update the profile but are not
   * logged (`dropped`). Serialised per visitor on this node. Resolves once
   * the log has the events and this node's profile has them; the store has
   * the result by then too, unless profiles are written behind.
   */
  ingest(visitor: string, raw: TesseraEvent[]): Promise<IngestResult> {
    return this.mutex.run(visitor, async () => {
      const events = await this.minimizeAll(raw);
      const now = this.o.now();
      const fallback = this.o.fallback;
      let loaded: Profile | undefined;
      let known = true;
      try {
        const [gone, entry] = await Promise.all([this.tombstones.erased(visitor), this.load(visitor)]);
        // An erased id never grows a profile again, whoever sends events for it.
        if (gone) {
          this.o.accounting?.drop('erased', events.length);
          return { applied: 0, dropped: 0, profile: eraseProfile(now) };
        }
        loaded = entry?.profile;
      } catch (e) {
        if (!fallback?.isUnavailable(e)) throw e;
        known = false;
      }
      const kept = dropRepeatViews(loaded, events);
      const allowed = this.quota.take(visitor, kept.length, now);
      const logged = kept.map((e) => loggedEvent(e, visitor, this.o.settings.nodeId, now));
      const fresh = allowed > 0 ? await this.o.log.append(logged.slice(0, allowed)) : [];
      this.quota.refund(visitor, allowed - fresh.length, now);
      // Store unreadable: build on what this node deferred already, for its pages only.
      const current = loaded ?? (known ? undefined : this.pending.get(visitor)) ?? emptyProfile(now);
      let next = this.applyAll(current, fresh);
      // Past the quota: into the profile only, and only what it does not have yet.
      const over: LoggedEvent[] = [];
      for (const e of logged.slice(allowed)) {
        const after = this.applyAll(next, [e]);
        if (after !== next) over.push(e);
        next = after;
      }
      if (over.length > 0)
        this.o.logger.warn('[tessera] [ingest] a visitor is over the daily event quota: events not logged', {
          quota: this.quota.perDay,
          dropped: over.length,
        });
      this.countIngest(events.length, kept.length, allowed, fresh.length, over.length);
      const changes = [...fresh, ...over];
      if (changes.length === 0) return { applied: 0, dropped: 0, profile: current };
      if (fallback && (!known || fallback.busy()))
        return { ...(await this.deferred(visitor, changes, next, known)), dropped: over.length };
      if (this.writes) {
        // Only a fold of what the store holds may skip the merge: `loaded` is this node's copy.
        if (loaded !== undefined && next !== loaded) this.foldedFrom.set(next, loaded);
        this.cache.set(visitor, { profile: next, changedAt: now });
        this.writes.put(visitor, next);
        return { applied: changes.length, dropped: over.length, profile: next };
      }
      let merged: Profile;
      try {
        merged = await this.o.store.merge(visitor, next);
      } catch (e) {
        if (!fallback?.isUnavailable(e)) throw e;
        return { ...(await this.deferred(visitor, changes, next, known)), dropped: over.length };
      }
      this.cache.set(visitor, { profile: merged, changedAt: now });
      this.emit({ visitor, profile: merged });
      return { applied: changes.length, dropped: over.length, profile: merged };
    });
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

  /** Events as they may be stored: form values, search terms and personal identify data minimised. */
  private async minimizeAll(events: TesseraEvent[]): Promise<TesseraEvent[]> {
    // Only identify events need a keyed hash (async); a batch without one is minimised in place.
    if (!events.some((e) => e.type === 'identify')) return events.map((e) => minimizeEvent(e, this.privacy));
    const keys = {
      userId: (id: string) => this.pseudonym(id),
      trait: (v: string | number | boolean) => this.traitPseudonym(v),
    };
    return Promise.all(
      events.map((e) =>
        e.type === 'identify' ? pseudonymizeIdentify(e, this.privacy, keys) : minimizeEvent(e, this.privacy),
      ),
    );
  }

  /**
   * Of `events`, `kept` were not repeat views, `allowed` within the quota, `fresh` new to the
   * log; of those past the quota, `over` were new to the profile (the rest it had: duplicates).
   */
  private countIngest(events: number, kept: number, allowed: number, fresh: number, over: number): void {
    const a = this.o.accounting;
    if (!a) return;
    a.drop('repeatView', events - kept);
    a.drop('quota', over);
    a.count('deduplicated', allowed - fresh + (kept - allowed - over));
    a.count('stored', fresh);
  }

  private async deferred(visitor: string, fresh: LoggedEvent[], next: Profile, known: boolean) {
    await this.o.fallback!.defer(visitor, fresh);
    this.o.accounting?.count('deferred', fresh.length);
    // Only a profile built on the stored one may stand in for it in the cache.
    if (known) this.cache.set(visitor, { profile: next, changedAt: this.o.now() });
    else this.pending.set(visitor, next);
    return { applied: fresh.length, profile: next };
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
  ): { profile: Profile; stored: Promise<void> } {
    const profile = this.preview(base, events);
    this.pending.set(visitor, profile);
    const stored = this.ingest(visitor, events).then(
      () => {},
      (e) => this.o.logger.warn('[tessera] edge-observed events not stored', { error: String(e) }),
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
   * The one erasure path (GDPR art. 17, CCPA "right to delete"): `DELETE
   * /privacy/me`, the admin API, consent withdrawal and a tombstone from
   * another node all come here. Under the visitor's lock, so an ingest for
   * the same id finishes before it or starts after it (and then meets the
   * tombstone): no profile is left behind. Drops this node's copies and the
   * profile waiting to be written, leaves an erasure tombstone under a keyed
   * hash of the id (privacy/tombstones.ts), deletes the stored profile, the
   * identity links on either side and the visitor's events, then announces
   * the erasure (the bus sends it to the other nodes as a tombstone). The
   * counts come from the store and the log themselves, read under the lock.
   *
   * `remote`: the erasure was announced by another node; it is carried out
   * here too (a store of this node's own, or a write of this node's that
   * reached a shared store after the other node's delete) but not sent on.
   */
  async erase(visitor: string, opts: { remote?: boolean } = {}): Promise<ErasureResult> {
    const result = await this.mutex.run(visitor, async () => {
      const held = this.pending.has(visitor) || this.cache.get(visitor) !== undefined;
      this.pending.delete(visitor);
      this.cache.delete(visitor);
      this.quota.forget(visitor);
      // A write started before the erasure lands before the delete, never after it.
      await this.writes?.cancel(visitor).catch(() => undefined);
      const [stored, canonical, aliases] = await Promise.all([
        this.o.store.get(visitor),
        this.o.store.resolve(visitor),
        this.o.store.aliases(visitor),
      ]);
      await this.tombstones.record(visitor);
      await this.o.store.delete(visitor);
      await this.o.store.unlink(visitor);
      const events = await this.o.log.deleteVisitor(visitor);
      // What else names the visitor (the experiment ledger's dedupe marks) goes in the same erasure.
      await this.o.onErase?.(visitor, canonical);
      return {
        id: visitor,
        profile: held || stored !== undefined,
        events,
        links: (canonical !== undefined ? 1 : 0) + aliases.length,
      };
    });
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
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(change: ProfileChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (e) {
        this.o.logger.warn('[tessera] profile change listener failed', { error: String(e) });
      }
    }
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

/**
 * The event as the log keeps it. Built field by field: a spread of each event
 * into a new object literal was a visible share of ingest's CPU.
 */
function loggedEvent(e: TesseraEvent, visitor: string, node: string, received: number): LoggedEvent {
  const out: LoggedEvent = { id: e.id, type: e.type, ts: e.ts, visitor, node, received };
  if (e.item !== undefined) out.item = e.item;
  if (e.props !== undefined) out.props = e.props;
  return out;
}

function lastChange(p: Profile): number {
  return p.recent[0]?.at.p ?? p.landmark;
}
