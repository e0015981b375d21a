/**
 * Profiles as the engine sees them: an in-process cache in front of the
 * durable store, the sealed cookie digest for decisions that must not wait
 * for the network, and the one write path (apply → log → merge) that ingest
 * and edge-observed views share.
 * @module
 */
import { LruCache } from './cache/index.js';
import type { CatalogItem, EngineSettings } from './config.js';
import { type KeyRing, pseudonymizeUserId, seal, unseal } from './identity/index.js';
import { KeyedMutex } from './keyed-mutex.js';
import type { EventLog, Logger, ProfileStore } from './ports.js';
import {
  applyEvents,
  emptyProfile,
  HlcClock,
  isErased,
  makeDigest,
  mergeProfiles,
  profileFromDigest,
} from './profile/index.js';
import { dropRepeatViews } from './repeat-views.js';
import type { LoggedEvent, Profile, ProfileDigest, TesseraEvent } from './types.js';

export interface CachedProfile {
  profile: Profile;
  /** Epoch ms of the last change this node knows of. */
  changedAt: number;
  /** Segment memberships computed for this profile version (profile-only segments). */
  segments?: string[];
}

export type ProfileSource = 'cache' | 'cookie' | 'store' | 'none' | 'timeout' | 'unavailable';

/**
 * Degraded mode for ingest (a runtime provides it): where events go that the
 * store cannot take now because it is down. Events, not a merged profile: a
 * profile built while the stored one was unreadable would carry this node's
 * counters from zero, and the max-merge of counters would lose the stored ones.
 */
export interface IngestFallback {
  /** True when `e` means "the dependency is down, try later". */
  isUnavailable(e: unknown): boolean;
  /** True while earlier deferred writes wait: new ones queue behind them, so order holds. */
  busy(): boolean;
  /** Keep the events durably until `applyDeferred` can store them; resolves once durable. */
  defer(visitor: string, events: LoggedEvent[]): Promise<void>;
}

/** A change this node made: the merged profile after an ingest, or an erasure. */
export type ProfileChange = { visitor: string; profile: Profile } | { visitor: string; erased: true };

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
  private readonly hlc: HlcClock;
  private readonly listeners = new Set<(change: ProfileChange) => void>();

  constructor(private readonly o: ProfileServiceOptions) {
    this.cache = new LruCache({ maxEntries: o.cacheEntries ?? 50_000 });
    this.hlc = new HlcClock(o.settings.nodeId, { now: o.now });
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
    const hit = this.cache.get(id);
    if (hit) return { entry: hit, source: 'cache' };
    const digest = await this.readDigest(id, digestCookie);
    if (digest) {
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

  /** Read through to the store and fill the cache. */
  async load(id: string): Promise<CachedProfile | undefined> {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const p = await this.o.store.get(id);
    if (!p || isErased(p)) return undefined;
    const entry: CachedProfile = { profile: p, changedAt: lastChange(p) };
    if (!this.cache.get(id)) this.cache.set(id, entry);
    return this.cache.get(id);
  }

  /**
   * Apply events for a visitor: log first (dedupe by id), then apply the new
   * ones and merge into the store. Serialised per visitor on this node.
   * Resolves once the store has the result.
   */
  ingest(visitor: string, raw: TesseraEvent[]): Promise<{ applied: number; profile: Profile }> {
    return this.mutex.run(visitor, async () => {
      const events = await this.pseudonymizeAll(raw);
      const now = this.o.now();
      const fallback = this.o.fallback;
      let loaded: Profile | undefined;
      let known = true;
      try {
        loaded = (await this.load(visitor))?.profile;
      } catch (e) {
        if (!fallback?.isUnavailable(e)) throw e;
        known = false;
      }
      const kept = dropRepeatViews(loaded, events);
      const logged: LoggedEvent[] = kept.map((e) => ({
        ...e,
        visitor,
        node: this.o.settings.nodeId,
        received: now,
      }));
      const fresh = logged.length ? await this.o.log.append(logged) : [];
      // Store unreadable: build on what this node deferred already, for its pages only.
      const current = loaded ?? (known ? undefined : this.pending.get(visitor)) ?? emptyProfile(now);
      if (fresh.length === 0) return { applied: 0, profile: current };
      const next = this.applyAll(current, fresh);
      if (fallback && (!known || fallback.busy())) return this.deferred(visitor, fresh, next, known);
      let merged: Profile;
      try {
        merged = await this.o.store.merge(visitor, next);
      } catch (e) {
        if (!fallback?.isUnavailable(e)) throw e;
        return this.deferred(visitor, fresh, next, known);
      }
      this.cache.set(visitor, { profile: merged, changedAt: now });
      this.emit({ visitor, profile: merged });
      return { applied: fresh.length, profile: merged };
    });
  }

  /** The pseudonym the log, the links and the profile keep for a user id. */
  pseudonym(userId: string): Promise<string> {
    return pseudonymizeUserId(this.o.ring, userId);
  }

  /** Identify events with their user id replaced by its pseudonym: no raw user id is kept. */
  private async pseudonymizeAll(events: TesseraEvent[]): Promise<TesseraEvent[]> {
    if (!events.some((e) => e.type === 'identify')) return events;
    return Promise.all(
      events.map(async (e) =>
        e.type === 'identify' && typeof e.props?.userId === 'string'
          ? { ...e, props: { ...e.props, userId: await this.pseudonym(e.props.userId) } }
          : e,
      ),
    );
  }

  private async deferred(visitor: string, fresh: LoggedEvent[], next: Profile, known: boolean) {
    await this.o.fallback!.defer(visitor, fresh);
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

  /** Erase everything held about a visitor on this node and in the store. */
  async erase(visitor: string): Promise<void> {
    await this.mutex.run(visitor, async () => {
      this.pending.delete(visitor);
      this.cache.delete(visitor);
      await this.o.store.delete(visitor);
      await this.o.store.unlink(visitor);
      await this.o.log.deleteVisitor(visitor);
    });
    this.emit({ visitor, erased: true });
  }

  /**
   * Merge a profile received from elsewhere (another node, the digest) into
   * the cached copy, and into the store too when `intoStore` (a store of this
   * node's own). Serialised with ingest, so neither overwrites the other.
   */
  async mergeRemote(visitor: string, remote: Profile, opts: { intoStore?: boolean } = {}): Promise<void> {
    await this.mutex.run(visitor, async () => {
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
    return seal(this.o.ring, JSON.stringify(d), `digest:${visitor}`);
  }

  private async readDigest(id: string, cookie: string | undefined): Promise<ProfileDigest | undefined> {
    if (!cookie) return undefined;
    const text = await unseal(this.o.ring, cookie, `digest:${id}`);
    if (!text) return undefined;
    try {
      const d = JSON.parse(text) as ProfileDigest;
      return Array.isArray(d.last) && typeof d.at === 'number' ? d : undefined;
    } catch {
      return undefined;
    }
  }
}

function lastChange(p: Profile): number {
  return p.recent[0]?.at.p ?? p.landmark;
}
