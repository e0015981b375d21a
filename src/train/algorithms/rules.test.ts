import { describe, expect, it } from 'vitest';
import type { SessionData } from '../model-types.js';
import { AssociationRules } from './ar.js';
import { SequentialRules } from './sr.js';

const sess = (id: string, items: number[], t0: number) => ({
  id,
  items: Int32Array.from(items),
  ts: Float64Array.from(items, (_, p) => t0 + p),
});
// a=0, b=1, c=2, d=3
const data: SessionData = {
  itemIds: ['a', 'b', 'c', 'd'],
  sessions: [sess('1', [0, 1, 2], 0), sess('2', [0, 2], 10)],
};

function rule(
  m: { rules: { ptr: Int32Array; item: Int32Array; score: Float32Array } },
  a: number,
  b: number,
) {
  for (let q = m.rules.ptr[a]!; q < m.rules.ptr[a + 1]!; q++)
    if (m.rules.item[q] === b) return m.rules.score[q];
  return undefined;
}

describe('sequential rules (SR)', () => {
  it('weights a → b by 1/distance, forward only, summed over sessions', () => {
    const m = new SequentialRules(10, 20);
    m.fit(data);
    expect(rule(m, 0, 1)).toBeCloseTo(1); // a b
    expect(rule(m, 0, 2)).toBeCloseTo(1 / 2 + 1); // a _ c, and a c
    expect(rule(m, 1, 2)).toBeCloseTo(1);
    expect(rule(m, 2, 0)).toBeUndefined();
    expect(Array.from(m.predict([3, 0], 5))).toEqual([2, 1]);
  });

  it('ignores pairs farther apart than `steps`', () => {
    const m = new SequentialRules(1, 20);
    m.fit(data);
    expect(rule(m, 0, 2)).toBeCloseTo(1); // only the adjacent a c of session 2
  });

  it('prunes each item to its `pruning` best rules', () => {
    const m = new SequentialRules(10, 1);
    m.fit(data);
    expect(Array.from(m.predict([0], 5))).toEqual([2]);
  });
});

describe('association rules (AR)', () => {
  it('counts co-occurrence in both directions, regardless of order', () => {
    const m = new AssociationRules(20);
    m.fit(data);
    expect(rule(m, 0, 2)).toBe(2);
    expect(rule(m, 2, 0)).toBe(2);
    expect(rule(m, 1, 0)).toBe(1);
    expect(Array.from(m.predict([1, 2], 5))).toEqual([0, 1]);
  });

  it('predicts nothing for an unknown last item', () => {
    const m = new AssociationRules(20);
    m.fit(data);
    expect(m.predict([0, 3], 5)).toHaveLength(0);
  });
});
