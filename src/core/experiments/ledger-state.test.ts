import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  counterKey,
  decodeLedger,
  encodeLedger,
  type LedgerState,
  laterStatus,
  mergeLedgers,
} from './ledger-state.js';

const node = fc.constantFrom('n1', 'n2', 'n3');
const key = fc
  .record({
    experiment: fc.constantFrom('x', 'y'),
    arm: fc.constantFrom('a', 'b'),
    segment: fc.constantFrom('*', 's1'),
    counter: fc.constantFrom('exposed', 'converted', 'revenue' as const),
  })
  .map(counterKey);
const hlc = fc.record({ p: fc.integer({ min: 0, max: 5 }), l: fc.integer({ min: 0, max: 3 }), n: node });
const state: fc.Arbitrary<LedgerState> = fc.record({
  counters: fc.dictionary(key, fc.dictionary(node, fc.integer({ min: 0, max: 100 }))),
  status: fc.dictionary(
    fc.constantFrom('x', 'y'),
    fc.record({
      value: fc.record({ status: fc.constantFrom('running' as const, 'paused' as const) }),
      at: hlc,
    }),
  ),
});
// Registers with the same stamp but different values cannot happen (a stamp is unique per node write).
const consistent = (...states: LedgerState[]) => {
  const seen = new Map<string, string>();
  for (const s of states)
    for (const r of Object.values(s.status)) {
      const k = JSON.stringify(r.at);
      if (seen.has(k) && seen.get(k) !== JSON.stringify(r.value)) return false;
      seen.set(k, JSON.stringify(r.value));
    }
  return true;
};
/** Equal as counters: a zero component and an absent one are the same count. */
const norm = (s: LedgerState) => {
  const counters: LedgerState['counters'] = {};
  for (const [k, c] of Object.entries(s.counters)) {
    const kept = Object.fromEntries(Object.entries(c).filter(([, v]) => v > 0));
    if (Object.keys(kept).length > 0) counters[k] = kept;
  }
  return JSON.parse(encodeLedgerSorted({ counters, status: s.status }));
};
function encodeLedgerSorted(s: LedgerState): string {
  const sort = (o: unknown): unknown =>
    o && typeof o === 'object'
      ? Object.fromEntries(
          Object.keys(o)
            .sort()
            .map((k) => [k, sort((o as Record<string, unknown>)[k])]),
        )
      : o;
  return JSON.stringify(sort(s));
}

describe('ledger state merge', () => {
  it('is commutative', () => {
    fc.assert(
      fc.property(state, state, (a, b) => {
        fc.pre(consistent(a, b));
        expect(norm(mergeLedgers(a, b))).toEqual(norm(mergeLedgers(b, a)));
      }),
    );
  });

  it('is associative', () => {
    fc.assert(
      fc.property(state, state, state, (a, b, c) => {
        fc.pre(consistent(a, b, c));
        expect(norm(mergeLedgers(mergeLedgers(a, b), c))).toEqual(norm(mergeLedgers(a, mergeLedgers(b, c))));
      }),
    );
  });

  it('is idempotent: merging a state again, or a part of it, changes nothing', () => {
    fc.assert(
      fc.property(state, state, (a, b) => {
        fc.pre(consistent(a, b));
        const ab = mergeLedgers(a, b);
        expect(norm(mergeLedgers(ab, b))).toEqual(norm(ab));
        expect(norm(mergeLedgers(ab, ab))).toEqual(norm(ab));
      }),
    );
  });

  it('keeps the larger value per node, never a sum', () => {
    const k = counterKey({ experiment: 'x', arm: 'a', segment: '*', counter: 'exposed' });
    const a: LedgerState = { counters: { [k]: { n1: 5, n2: 1 } }, status: {} };
    const b: LedgerState = { counters: { [k]: { n1: 3, n2: 4 } }, status: {} };
    expect(mergeLedgers(a, b).counters[k]).toEqual({ n1: 5, n2: 4 });
  });

  it('lets the later status win by HLC, node id breaking ties', () => {
    const paused = { value: { status: 'paused' as const }, at: { p: 10, l: 0, n: 'n1' } };
    const resumed = { value: { status: 'running' as const }, at: { p: 10, l: 1, n: 'n1' } };
    const other = { value: { status: 'paused' as const }, at: { p: 10, l: 1, n: 'n2' } };
    expect(laterStatus(paused, resumed)).toBe(resumed);
    expect(laterStatus(resumed, paused)).toBe(resumed);
    expect(laterStatus(resumed, other)).toBe(other);
  });

  it('survives its wire encoding', () => {
    fc.assert(
      fc.property(state, (s) => {
        expect(norm(decodeLedger(encodeLedger(s)))).toEqual(norm(s));
      }),
    );
  });
});
