import { describe, expect, it } from 'vitest';
import { fromPairs } from './csr.js';
import { ItemKnnModel } from './item-knn.js';

// u0 {0,1}, u1 {0,1,2}, u2 {1,2}: item counts n0 = 2, n1 = 3, n2 = 2; c01 = 2, c12 = 2, c02 = 1.
const x = fromPairs(3, ['a', 'b', 'c'], { u: [0, 0, 1, 1, 1, 2, 2], i: [0, 1, 0, 1, 2, 1, 2] });

function sim(m: ItemKnnModel, i: number, j: number): number | undefined {
  return m.neighbours(10)[i]!.find(([n]) => n === j)?.[1];
}

describe('item-kNN', () => {
  it('computes cosine by hand: c_ij / √(n_i·n_j)', () => {
    const m = new ItemKnnModel({ shrink: 0 });
    m.fit(x);
    expect(sim(m, 0, 1)).toBeCloseTo(2 / Math.sqrt(6), 6);
    expect(sim(m, 0, 2)).toBeCloseTo(1 / 2, 6);
    expect(sim(m, 1, 0)).toBeCloseTo(2 / Math.sqrt(6), 6);
  });

  it('computes asymmetric cosine c_ij / (n_i^α · n_j^(1−α)) with shrinkage in the denominator', () => {
    const m = new ItemKnnModel({ alpha: 0.8, shrink: 1 });
    m.fit(x);
    expect(sim(m, 0, 1)).toBeCloseTo(2 / (2 ** 0.8 * 3 ** 0.2 + 1), 6);
    expect(sim(m, 1, 0)).toBeCloseTo(2 / (3 ** 0.8 * 2 ** 0.2 + 1), 6);
  });

  it('keeps only the best `neighbourhood` neighbours, best first', () => {
    const m = new ItemKnnModel({ shrink: 0, neighbourhood: 1 });
    m.fit(x);
    expect(m.neighbours(10)[1]).toHaveLength(1);
    expect(m.neighbours(10)[0]![0]![0]).toBe(1);
  });

  it('halves the weight of an interaction one half-life older than the newest', () => {
    const day = 86_400_000;
    // u0 saw a (old) and b (new); u1 saw a and b (both new).
    const t = fromPairs(2, ['a', 'b'], {
      u: [0, 0, 1, 1],
      i: [0, 1, 0, 1],
      t: [0, 7 * day, 7 * day, 7 * day],
    });
    const m = new ItemKnnModel({ shrink: 0, halfLifeDays: 7 });
    m.fit(t);
    // c_ab = 0.5·1 + 1·1, n_a = 0.25 + 1, n_b = 2.
    expect(sim(m, 0, 1)).toBeCloseTo(1.5 / Math.sqrt(1.25 * 2), 5);
  });

  it("scores a user's unseen items by summing neighbour similarities", () => {
    const m = new ItemKnnModel({ shrink: 0 });
    m.fit(x);
    const out = new Float32Array(3);
    m.score(0, out); // u0 holds a and b
    expect(out[2]).toBeCloseTo(1 / 2 + 2 / Math.sqrt(6), 5);
  });
});
