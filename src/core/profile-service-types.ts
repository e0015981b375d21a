/**
 * The shapes the profile service hands out and takes in: cached profiles,
 * where a decision's profile came from, the ingest fallback (degraded mode),
 * change notices, erasure and ingest results, and the service's options.
 * @module
 */
import type { CatalogItem, EngineSettings, SitePrivacy } from './config.js';
import type { KeyRing } from './identity/index.js';
import type { LossAccounting } from './loss-accounting.js';
import type { EventLog, Logger, ProfileStore } from './ports.js';
import type { LoggedEvent, Profile } from './types.js';

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

/**
 * A change this node made: the merged profile after an ingest, or an
 * erasure (`remote`: carried out here on another node's word, not to be sent on).
 */
export type ProfileChange =
  | { visitor: string; profile: Profile }
  | { visitor: string; erased: true; remote?: true };

/** What an erasure removed, as the store and the log reported it. */
export interface ErasureResult {
  id: string;
  /** Whether a profile was held (stored, or in this node's memory) before the erasure. */
  profile: boolean;
  /** Events the log deleted. */
  events: number;
  /** Identity links removed (to a canonical id, and from aliases). */
  links: number;
}

export interface IngestResult {
  /** Events new to the profile. */
  applied: number;
  /** Of those, how many the log did not take because the visitor is over the daily quota. */
  dropped: number;
  profile: Profile;
}
