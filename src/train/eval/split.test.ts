import { describe, expect, it } from 'vitest';
import { fromTriples, nnz } from '../data/id-space.js';
import { syntheticRatings, syntheticSessions } from '../data/synthetic.js';
import type { Interactions } from '../model-types.js';
import { roundHalfEven, sessionTimeSplit, stratifiedSplit, validationSplit } from './split.js';

function countsBy(d: Interactions, by: 'item' | 'user'): Map<number, number> {
  const m = new Map<number, number>();
  for (let u = 0; u < d.userIds.length; u++)
    for (let p = d.rowPtr[u]!; p < d.rowPtr[u + 1]!; p++) {
      const g = by === 'item' ? d.col[p]! : u;
      m.set(g, (m.get(g) ?? 0) + 1);
    }
  return m;
}

const pairs = (d: Interactions): string[] => {
  const out: string[] = [];
  for (let u = 0; u < d.userIds.length; u++)
    for (let p = d.rowPtr[u]!; p < d.rowPtr[u + 1]!; p++) out.push(`${u}:${d.col[p]}`);
  return out;
};

describe('stratifiedSplit', () => {
  const { data } = syntheticRatings({ users: 200, items: 300, ratings: 8000, seed: 3 });

  it('puts round(ratio × n) of each item in training, as Python rounds', () => {
    const { train, test } = stratifiedSplit(data, { by: 'item', ratio: 0.75, seed: 42 });
    const all = countsBy(data, 'item');
    const tr = countsBy(train, 'item');
    for (const [i, n] of all) expect(tr.get(i) ?? 0).toBe(roundHalfEven(0.75 * n));
    expect(nnz(train) + nnz(test)).toBe(nnz(data));
    expect(new Set([...pairs(train), ...pairs(test)]).size).toBe(nnz(data));
  });

  it('splits per user when asked', () => {
    const { train } = stratifiedSplit(data, { by: 'user', ratio: 0.5, seed: 1 });
    const all = countsBy(data, 'user');
    const tr = countsBy(train, 'user');
    for (const [u, n] of all) expect(tr.get(u) ?? 0).toBe(roundHalfEven(0.5 * n));
  });

  it('keeps items with one interaction (and two, round(1.5) = 2) in training', () => {
    const d = fromTriples(['a', 'b', 'c'], ['x', 'y'], {
      u: [0, 0, 1],
      i: [0, 1, 1],
      v: [1, 1, 1],
      t: [0, 0, 0],
    }).data;
    const { train, test } = stratifiedSplit(d, { by: 'item', ratio: 0.75, seed: 7 });
    expect(nnz(train)).toBe(3);
    expect(nnz(test)).toBe(0);
    expect(train.userIds).toEqual(d.userIds);
    expect(test.itemIds).toEqual(d.itemIds);
  });

  it('is the same for the same seed and differs for another', () => {
    const a = stratifiedSplit(data, { by: 'item', ratio: 0.75, seed: 42 });
    const b = stratifiedSplit(data, { by: 'item', ratio: 0.75, seed: 42 });
    const c = stratifiedSplit(data, { by: 'item', ratio: 0.75, seed: 43 });
    expect(pairs(a.test)).toEqual(pairs(b.test));
    expect(pairs(a.test)).not.toEqual(pairs(c.test));
  });

  it('carves validation from training only', () => {
    const { train, test } = stratifiedSplit(data, { by: 'item', ratio: 0.75, seed: 42 });
    const v = validationSplit(train, { seed: 5 });
    const testPairs = new Set(pairs(test));
    expect(pairs(v.test).some((p) => testPairs.has(p))).toBe(false);
    expect(nnz(v.train) + nnz(v.test)).toBe(nnz(train));
  });

  it('rounds halves to even like Python', () => {
    expect([0.5, 1.5, 2.5, 0.75, 2.25].map(roundHalfEven)).toEqual([0, 2, 2, 1, 2]);
  });
});

describe('sessionTimeSplit', () => {
  const { data } = syntheticSessions({ sessions: 500, items: 100, days: 10, seed: 2 });
  const end = (s: { ts: Float64Array }) => s.ts[s.ts.length - 1]!;

  it('puts sessions ending in the last days in the test, all later than training', () => {
    const { train, test } = sessionTimeSplit(data, { days: 2 });
    expect(train.sessions.length + test.sessions.length).toBe(500);
    expect(test.sessions.length).toBeGreaterThan(0);
    const lastTrain = Math.max(...train.sessions.map(end));
    const firstTest = Math.min(...test.sessions.map(end));
    expect(lastTrain).toBeLessThan(firstTest);
    const max = Math.max(...data.sessions.map(end));
    expect(firstTest).toBeGreaterThanOrEqual(max - 2 * 86_400_000);
  });

  it('takes the latest fraction of sessions', () => {
    const { test } = sessionTimeSplit(data, { fraction: 0.2 });
    expect(test.sessions).toHaveLength(100);
  });
});
