/**
 * The one erasure path (GDPR art. 17, CCPA "right to delete"): `DELETE
 * /privacy/me`, the admin API, consent withdrawal and a tombstone from
 * another node all end here, through `ProfileService.erase`, which runs it
 * under the visitor's lock (so an ingest for the same id finishes before it
 * or starts after it, and then meets the tombstone: no profile is left
 * behind).
 *
 * Drops this node's copies and the profile waiting to be written, leaves an
 * erasure tombstone under a keyed hash of the id (privacy/tombstones.ts),
 * deletes the stored profile, the identity links on either side and the
 * visitor's events. The counts come from the store and the log themselves,
 * read under the lock.
 * @module
 */
import type { DailyEventQuota } from './limits/event-quota.js';
import type { EventLog, ProfileStore } from './ports.js';
import type { ErasureTombstones } from './privacy/tombstones.js';
import { forgetFoldStates } from './profile/fold-owner.js';
import type { ErasureResult } from './profile-service-types.js';
import type { ProfileWrites } from './profile-writes.js';

/** What an erasure clears of the profile service's state, and where the data lives. */
export interface ErasureParts {
  store: ProfileStore;
  log: EventLog;
  /** This node's copies of profiles (the cache, and profiles built while the store was down). */
  held: { has(visitor: string): boolean; delete(visitor: string): void };
  quota: DailyEventQuota;
  tombstones: ErasureTombstones;
  writes: ProfileWrites | undefined;
  /** What else names the visitor (the experiment ledger's dedupe marks) goes in the same erasure. */
  onErase: ((visitor: string, linkedTo: string | undefined) => Promise<void>) | undefined;
}

/** Erase `visitor` everywhere this node reaches; the caller holds the visitor's lock and announces it. */
export async function eraseVisitor(p: ErasureParts, visitor: string): Promise<ErasureResult> {
  const held = p.held.has(visitor);
  p.held.delete(visitor);
  // The fold keeps recent visitors' newest profiles at hand: none of them outlives the erasure.
  forgetFoldStates();
  p.quota.forget(visitor);
  // A write started before the erasure lands before the delete, never after it.
  await p.writes?.cancel(visitor).catch(() => undefined);
  const [stored, canonical, aliases] = await Promise.all([
    p.store.get(visitor),
    p.store.resolve(visitor),
    p.store.aliases(visitor),
  ]);
  await p.tombstones.record(visitor);
  await p.store.delete(visitor);
  await p.store.unlink(visitor);
  const events = await p.log.deleteVisitor(visitor);
  await p.onErase?.(visitor, canonical);
  return {
    id: visitor,
    profile: held || stored !== undefined,
    events,
    links: (canonical !== undefined ? 1 : 0) + aliases.length,
  };
}
