/**
 * The in-memory ledger store. It lives in the core, because an engine
 * without a ledger store falls back to it; re-exported here beside the
 * other drivers.
 * @module
 */
export { createMemoryLedgerStore } from '../core/experiments/memory-ledger-store.js';
