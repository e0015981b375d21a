/**
 * The experiment ledger as a state-based CRDT, the same on every node, in
 * every store and on the bus.
 *
 * - Counters: per experiment, arm, segment and counter (`exposed`,
 *   `converted`, `clicked`, `carted`, `revenue`), one G-counter with a
 *   component per node. A node only ever raises its own component, so two
 *   states merge by taking the larger value per (key, node): commutative,
 *   associative and idempotent. A message sent twice, a store read after the
 *   bus already delivered the same numbers, a restart that loads what the
 *   node itself wrote: none of them counts anything twice.
 * - Status: per experiment, one last-writer-wins register holding the
 *   operator's (or the sequential test's) override — running, paused,
 *   promoted(arm) and by what — stamped with a hybrid logical clock, so
 *   concurrent pause/resume/promote on two nodes settle on one answer.
 *
 * Bandit posteriors are not a second state: an arm's trials are its
 * `exposed` visitors and its wins its `converted` visitors, per segment.
 * @module
 */
import { compareHlc } from '../hlc.js';
import type { Hlc } from '../types.js';
import type { GCounter } from './bandit.js';

export const LEDGER_COUNTERS = ['exposed', 'converted', 'clicked', 'carted', 'revenue'] as const;
export type LedgerCounter = (typeof LEDGER_COUNTERS)[number];

/** The override an operator (or a test, or a bandit stop) put on an experiment. */
export interface StatusValue {
  status?: 'running' | 'paused';
  promoted?: string;
  promotedBy?: 'command' | 'sequential test' | 'bandit';
}

export interface StatusRegister {
  value: StatusValue;
  at: Hlc;
}

export interface LedgerState {
  /** counterKey(...) → node → value */
  counters: Record<string, GCounter>;
  /** experiment → its status register */
  status: Record<string, StatusRegister>;
}

const SEP = '\u0001';

export interface CounterAddress {
  experiment: string;
  arm: string;
  segment: string;
  counter: LedgerCounter;
}

export function counterKey(a: CounterAddress): string {
  return [a.experiment, a.arm, a.segment, a.counter].join(SEP);
}

export function parseCounterKey(key: string): CounterAddress | undefined {
  const [experiment, arm, segment, counter] = key.split(SEP);
  if (experiment === undefined || arm === undefined || segment === undefined) return undefined;
  if (!(LEDGER_COUNTERS as readonly string[]).includes(counter ?? '')) return undefined;
  return { experiment, arm, segment, counter: counter as LedgerCounter };
}

export const emptyLedger = (): LedgerState => ({ counters: {}, status: {} });

/** The G-counter at `key`, created empty first when missing. */
export function counterAt(state: LedgerState, key: string): GCounter {
  let c = state.counters[key];
  if (!c) {
    c = {};
    state.counters[key] = c;
  }
  return c;
}

/** The later of two registers (HLC order, node id the final tie breaker). */
export function laterStatus(a: StatusRegister | undefined, b: StatusRegister | undefined) {
  if (!a) return b;
  if (!b) return a;
  return compareHlc(a.at, b.at) >= 0 ? a : b;
}

/** Folds `b` into `a` in place; true when `a` changed. */
export function mergeLedgerInto(a: LedgerState, b: LedgerState): boolean {
  let changed = false;
  for (const key in b.counters) {
    const theirs = b.counters[key]!;
    let mine = a.counters[key];
    for (const node in theirs) {
      const v = theirs[node]!;
      if (!Number.isFinite(v) || v <= (mine?.[node] ?? 0)) continue;
      if (!mine) {
        mine = {};
        a.counters[key] = mine;
      }
      mine[node] = v;
      changed = true;
    }
  }
  for (const key in b.status) {
    const next = laterStatus(a.status[key], b.status[key]);
    if (next && next !== a.status[key]) {
      a.status[key] = next;
      changed = true;
    }
  }
  return changed;
}

/** The least upper bound of two states (neither is changed). */
export function mergeLedgers(a: LedgerState, b: LedgerState): LedgerState {
  const out = structuredClone(a);
  mergeLedgerInto(out, b);
  return out;
}

export function sumCounter(c: GCounter | undefined): number {
  let s = 0;
  if (c) for (const k in c) s += c[k]!;
  return s;
}

export function encodeLedger(s: LedgerState): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(s));
}

/** Throws on anything that is not a ledger state; drops values that are not finite numbers. */
export function decodeLedger(bytes: Uint8Array): LedgerState {
  const raw = JSON.parse(new TextDecoder().decode(bytes)) as Partial<LedgerState>;
  if (typeof raw !== 'object' || raw === null || typeof raw.counters !== 'object')
    throw new Error('[tessera] [experiments] not a ledger state');
  const out = emptyLedger();
  for (const [key, c] of Object.entries(raw.counters ?? {})) {
    if (!parseCounterKey(key) || typeof c !== 'object' || c === null) continue;
    const g: GCounter = {};
    for (const [node, v] of Object.entries(c)) if (typeof v === 'number' && Number.isFinite(v)) g[node] = v;
    out.counters[key] = g;
  }
  for (const [key, r] of Object.entries(raw.status ?? {})) {
    if (r && typeof r === 'object' && r.at && typeof r.at.p === 'number') out.status[key] = r;
  }
  return out;
}
