/**
 * Where every event went since the node started, for `/health` (and the
 * metrics). Each counter is bumped at the one place its event happens:
 * `/collect` (received, accepted, acknowledged, invalid, consent, refused
 * batches), ingest (stored, deduplicated, quota, erased, repeat views), the
 * spool (spooled, deferred, replayed). So an operator can check, at any
 * time, that nothing acknowledged went missing:
 *
 *   received     = accepted + dropped.invalid
 *   acknowledged ≤ accepted (the rest got a 5xx: the browser sends them again)
 *   stored       = events the log took as new, directly or through the spool
 *                  (`spooled` of them waited there, `replayed` reached the log since)
 *
 * Whole batches refused before their events are read (429, 413, a body that
 * is not JSON) are counted as batches, in `refusedBatches`.
 * @module
 */

/** Why events of an accepted batch were not stored. */
export type DropReason =
  /** Failed validation (the batch's `rejected`). */
  | 'invalid'
  /** No personalization consent (or GPC/DNT): nothing is kept for the sender. */
  | 'consent'
  /** Past the visitor's daily event quota: applied to the profile, not logged. */
  | 'quota'
  /** Sent for an erased visitor id. */
  | 'erased'
  /** A repeated view of the page the profile saw last (kept once). */
  | 'repeatView';

/** Why a whole `/collect` batch was refused before its events were read. */
export type RefusalReason = 'throttled' | 'bodyTooLarge' | 'malformed';

export interface EventCounts {
  received: number;
  accepted: number;
  acknowledged: number;
  stored: number;
  /** Events the log already had (a retry of an acknowledged batch, a replay). */
  deduplicated: number;
  /** Events that went to the local spool because the log was down. */
  spooled: number;
  /** Spooled events the log took since. */
  replayed: number;
  /** Logged events whose profile write waited in the spool because the store was down. */
  deferred: number;
  dropped: Partial<Record<DropReason, number>>;
  refusedBatches: Partial<Record<RefusalReason, number>>;
}

export interface LossAccounting {
  count(counter: 'received' | 'accepted' | 'acknowledged' | 'stored' | 'deduplicated', n: number): void;
  count(counter: 'spooled' | 'replayed' | 'deferred', n: number): void;
  drop(reason: DropReason, n: number): void;
  refuse(reason: RefusalReason): void;
  /** A copy of the counters. */
  snapshot(): EventCounts;
}

type Counter = Exclude<keyof EventCounts, 'dropped' | 'refusedBatches'>;

export function createLossAccounting(): LossAccounting {
  const c: EventCounts = {
    received: 0,
    accepted: 0,
    acknowledged: 0,
    stored: 0,
    deduplicated: 0,
    spooled: 0,
    replayed: 0,
    deferred: 0,
    dropped: {},
    refusedBatches: {},
  };
  return {
    count(counter: Counter, n: number) {
      if (n > 0) c[counter] += n;
    },
    drop(reason, n) {
      if (n > 0) c.dropped[reason] = (c.dropped[reason] ?? 0) + n;
    },
    refuse(reason) {
      c.refusedBatches[reason] = (c.refusedBatches[reason] ?? 0) + 1;
    },
    snapshot: () => ({ ...c, dropped: { ...c.dropped }, refusedBatches: { ...c.refusedBatches } }),
  };
}
