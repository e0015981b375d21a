/**
 * The ledger-store port. The interface lives in the core
 * (`core/experiments/ledger-store.ts`), which is written against it; it is
 * re-exported here so a driver author finds port and drivers together.
 * @module
 */

export type { LedgerState, StatusRegister } from '../core/experiments/ledger-state.js';
export type { CountedHit, LedgerHit, LedgerStore } from '../core/experiments/ledger-store.js';
