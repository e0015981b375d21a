/**
 * The ledger-store port: where a node's experiment counts and statuses
 * outlive the process. Drivers: `src/ledgers/` (memory, SQLite, Redis).
 *
 * Counting and deduplicating are one write. A hit names what it counts and a
 * mark that makes it count once: `x` for the visitor's exposure (its value is
 * the arm and segment), `converted` / `clicked` / `carted` for the first
 * conversion of each kind, `r:<event id>` for one purchase's revenue. The
 * store records the mark and raises this node's counter in the same
 * transaction (SQLite) or script (Redis), so a replayed batch, a retried
 * beacon, a second node seeing the same visitor, or a restart in between
 * cannot count a visitor twice, and a count the store acknowledged is on
 * disk: there is no write-behind window to lose on `kill -9`.
 *
 * A conversion hit counts only for a visitor with an exposure mark, on the
 * arm and segment that mark holds (the store looks it up), so attribution
 * needs no per-visitor map in memory.
 * @module
 */
import type { LedgerCounter, LedgerState, StatusRegister } from './ledger-state.js';

export interface LedgerHit {
  experiment: string;
  visitor: string;
  counter: LedgerCounter;
  /** Counts once per (experiment, visitor, mark). */
  mark: string;
  /** 1, or the purchase's value for `revenue`. */
  amount: number;
  /** For `exposed` only: the arm and segment the visitor was assigned. */
  arm?: string;
  segment?: string;
}

/** A hit that counted: where, and this node's component of that counter after it. */
export interface CountedHit {
  /** Index of the hit in the call's input. */
  index: number;
  arm: string;
  segment: string;
  value: number;
}

export interface LedgerStore {
  readonly name: string;
  /** Count each hit whose mark is new into `node`'s component (see the module doc). */
  count(node: string, hits: readonly LedgerHit[]): Promise<CountedHit[]>;
  /** Every node's components and every status register held. */
  load(): Promise<LedgerState>;
  /** Keep what other nodes counted (max per component) and later status registers. */
  merge(state: LedgerState): Promise<void>;
  /** Store a status register unless a later one is stored already. */
  putStatus(experiment: string, register: StatusRegister): Promise<void>;
  /**
   * Erasure: delete every mark that names `visitor` (the counts stay: they
   * hold no id). Resolves once they are gone from the store.
   */
  forget(visitor: string): Promise<void>;
  close(): Promise<void>;
}

export const EXPOSURE_MARK = 'x';
