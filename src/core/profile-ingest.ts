/**
 * The one write path for a visitor's events (`/collect` and edge-observed
 * views share it): minimise them, drop repeat views, take the daily quota,
 * log first (the log deduplicates by visitor and event id), then fold only
 * what the log found new into the profile, and hand the result to the store
 * (now, written behind, or deferred while the store is down).
 *
 * The profile service runs it under the visitor's lock; everything it needs
 * of the service comes in through `IngestParts`.
 * @module
 */

import type { DailyEventQuota } from './limits/event-quota.js';
import type { LossAccounting } from './loss-accounting.js';
import type { EventLog, Logger } from './ports.js';
import { minimizeEvent, type PrivacyPolicy, pseudonymizeIdentify } from './privacy/minimize.js';
import type { ErasureTombstones } from './privacy/tombstones.js';
import { emptyProfile, eraseProfile } from './profile/index.js';
import type { CachedProfile, IngestFallback, IngestResult, ProfileChange } from './profile-service-types.js';
import type { ProfileWrites } from './profile-writes.js';
import { dropRepeatViews } from './repeat-views.js';
import type { LoggedEvent, Profile, TesseraEvent } from './types.js';

/** What ingest reads and writes of the profile service's state. */
export interface IngestParts {
  nodeId: string;
  log: EventLog;
  logger: Logger;
  now: () => number;
  fallback: IngestFallback | undefined;
  accounting: LossAccounting | undefined;
  privacy: PrivacyPolicy;
  quota: DailyEventQuota;
  tombstones: ErasureTombstones;
  cache: { set(visitor: string, entry: CachedProfile): void };
  /** Profiles built while the store was unreadable, for this node's pages only. */
  pending: Map<string, Profile>;
  /** Profiles written behind (only with `writeBehindMs`). */
  writes: ProfileWrites | undefined;
  /** Each profile ingest folded, to the one it folded it from (the write behind needs no merge then). */
  foldedFrom: WeakMap<Profile, Profile>;
  load(visitor: string): Promise<CachedProfile | undefined>;
  merge(visitor: string, profile: Profile): Promise<Profile>;
  applyAll(start: Profile, events: readonly TesseraEvent[]): Profile;
  emit(change: ProfileChange, log?: Logger): void;
  pseudonym(userId: string): Promise<string>;
  traitPseudonym(value: string | number | boolean): Promise<string>;
}

/**
 * Past the visitor's daily quota, events update the profile but are not
 * logged (`dropped`). Resolves once the log has the events and this node's
 * profile has them; the store has the result by then too, unless profiles
 * are written behind.
 */
export async function ingestEvents(
  p: IngestParts,
  visitor: string,
  raw: TesseraEvent[],
  /** The request's logger when a request sent the events (request-logger.ts). */
  log: Logger = p.logger,
): Promise<IngestResult> {
  const events = await minimizeAll(p, raw);
  const now = p.now();
  const fallback = p.fallback;
  let loaded: Profile | undefined;
  let known = true;
  try {
    const [gone, entry] = await Promise.all([p.tombstones.erased(visitor), p.load(visitor)]);
    // An erased id never grows a profile again, whoever sends events for it.
    if (gone) {
      p.accounting?.drop('erased', events.length);
      return { applied: 0, dropped: 0, profile: eraseProfile(now) };
    }
    loaded = entry?.profile;
  } catch (e) {
    if (!fallback?.isUnavailable(e)) throw e;
    known = false;
  }
  const kept = dropRepeatViews(loaded, events);
  const allowed = p.quota.take(visitor, kept.length, now);
  const logged = kept.map((e) => loggedEvent(e, visitor, p.nodeId, now));
  // The whole batch within the quota (the usual case) goes to the log as it is, not copied.
  const withinQuota = allowed === logged.length ? logged : logged.slice(0, allowed);
  const fresh = allowed > 0 ? await p.log.append(withinQuota) : [];
  p.quota.refund(visitor, allowed - fresh.length, now);
  // Store unreadable: build on what this node deferred already, for its pages only.
  const current = loaded ?? (known ? undefined : p.pending.get(visitor)) ?? emptyProfile(now);
  let next = p.applyAll(current, fresh);
  // Past the quota: into the profile only, and only what it does not have yet.
  const over: LoggedEvent[] = [];
  for (let i = allowed; i < logged.length; i++) {
    const e = logged[i]!;
    const after = p.applyAll(next, [e]);
    if (after !== next) over.push(e);
    next = after;
  }
  if (over.length > 0)
    log.warn('[tessera] [ingest] a visitor is over the daily event quota: events not logged', {
      quota: p.quota.perDay,
      dropped: over.length,
    });
  countIngest(p.accounting, events.length, kept.length, allowed, fresh.length, over.length);
  const changes = over.length === 0 ? fresh : [...fresh, ...over];
  if (changes.length === 0) return { applied: 0, dropped: 0, profile: current };
  if (fallback && (!known || fallback.busy()))
    return { ...(await deferred(p, visitor, changes, next, known)), dropped: over.length };
  if (p.writes) {
    // Only a fold of what the store holds may skip the merge: `loaded` is this node's copy.
    if (loaded !== undefined && next !== loaded) p.foldedFrom.set(next, loaded);
    p.cache.set(visitor, { profile: next, changedAt: now });
    p.writes.put(visitor, next);
    return { applied: changes.length, dropped: over.length, profile: next };
  }
  let merged: Profile;
  try {
    merged = await p.merge(visitor, next);
  } catch (e) {
    if (!fallback?.isUnavailable(e)) throw e;
    return { ...(await deferred(p, visitor, changes, next, known)), dropped: over.length };
  }
  p.cache.set(visitor, { profile: merged, changedAt: now });
  p.emit({ visitor, profile: merged }, log);
  return { applied: changes.length, dropped: over.length, profile: merged };
}

/** Events as they may be stored: form values, search terms and personal identify data minimised. */
function minimizeAll(p: IngestParts, events: TesseraEvent[]): TesseraEvent[] | Promise<TesseraEvent[]> {
  // Only identify events need a keyed hash (async); a batch without one is minimised in place.
  if (!events.some((e) => e.type === 'identify')) return events.map((e) => minimizeEvent(e, p.privacy));
  const keys = {
    userId: (id: string) => p.pseudonym(id),
    trait: (v: string | number | boolean) => p.traitPseudonym(v),
  };
  return Promise.all(
    events.map((e) =>
      e.type === 'identify' ? pseudonymizeIdentify(e, p.privacy, keys) : minimizeEvent(e, p.privacy),
    ),
  );
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

/**
 * Of `events`, `kept` were not repeat views, `allowed` within the quota, `fresh` new to the
 * log; of those past the quota, `over` were new to the profile (the rest it had: duplicates).
 */
function countIngest(
  a: LossAccounting | undefined,
  events: number,
  kept: number,
  allowed: number,
  fresh: number,
  over: number,
): void {
  if (!a) return;
  a.drop('repeatView', events - kept);
  a.drop('quota', over);
  a.count('deduplicated', allowed - fresh + (kept - allowed - over));
  a.count('stored', fresh);
}

/** The store is down (or earlier deferred writes wait): the events go to the fallback, the profile stays here. */
async function deferred(
  p: IngestParts,
  visitor: string,
  fresh: LoggedEvent[],
  next: Profile,
  known: boolean,
) {
  await p.fallback!.defer(visitor, fresh);
  p.accounting?.count('deferred', fresh.length);
  // Only a profile built on the stored one may stand in for it in the cache.
  if (known) p.cache.set(visitor, { profile: next, changedAt: p.now() });
  else p.pending.set(visitor, next);
  return { applied: fresh.length, profile: next };
}
