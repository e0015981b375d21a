import { describe, expect, it } from 'vitest';
import { fromTriples } from '../data/id-space.js';
import { BeyondAccuracyAccumulator, ItemUsers } from './beyond-accuracy.js';
import { NextItemAccumulator, TopKAccumulator } from './metrics.js';
import { topKIndices } from './rank.js';

const among = (xs: number[]) => (i: number) => xs.includes(i);

describe('TopKAccumulator', () => {
  it('matches a hand-computed user: hits at ranks 1 and 3 of k=3, four test items', () => {
    const acc = new TopKAccumulator(3);
    acc.add([7, 8, 9], among([7, 9, 20, 21]), 4);
    const r = acc.result();
    // AP: (1/1 + 2/3) / 4 = 0.416667; MAP@k divides by min(4, 3) = 3.
    expect(r.map).toBeCloseTo(5 / 12, 12);
    expect(r.map_at_k).toBeCloseTo(5 / 9, 12);
    // DCG = 1/log2(2) + 1/log2(4) = 1.5; IDCG = 1 + 1/log2(3) + 1/2.
    expect(r.ndcg).toBeCloseTo(1.5 / (1 + 1 / Math.log2(3) + 0.5), 12);
    expect(r.precision).toBeCloseTo(2 / 3, 12);
    expect(r.recall).toBeCloseTo(2 / 4, 12);
  });

  it('averages over users, counting a user without hits as zero', () => {
    const acc = new TopKAccumulator(2);
    acc.add([1, 2], among([2]), 1); // AP 1/2, nDCG (1/log2 3)/1, P 1/2, R 1
    acc.add([3, 4], among([5]), 1); // all zero
    const r = acc.result();
    expect(r.users).toBe(2);
    expect(r.map).toBeCloseTo(0.25, 12);
    expect(r.ndcg).toBeCloseTo(1 / Math.log2(3) / 2, 12);
    expect(r.precision).toBeCloseTo(0.25, 12);
    expect(r.recall).toBeCloseTo(0.5, 12);
  });

  it('divides precision by k even when fewer than k items were ranked', () => {
    const acc = new TopKAccumulator(4);
    acc.add([1], among([1]), 1);
    expect(acc.result().precision).toBe(0.25);
    expect(acc.result().ndcg).toBe(1);
  });
});

describe('NextItemAccumulator', () => {
  it('scores HR and MRR by the rank of the target, zero beyond k', () => {
    const acc = new NextItemAccumulator(3);
    acc.add([5, 6, 7], 5); // rank 1
    acc.add([5, 6, 7], 7); // rank 3
    acc.add([5, 6, 7, 8], 8); // beyond k
    acc.add([], 1);
    expect(acc.result()).toEqual({ hr: 0.5, mrr: (1 + 1 / 3) / 4, predictions: 4 });
  });
});

describe('topKIndices', () => {
  it('returns the best k, ties to the lower index, excluded items never', () => {
    const s = Float32Array.from([0.5, 2, Number.NEGATIVE_INFINITY, 2, Number.NaN, 1]);
    expect(Array.from(topKIndices(s, 3))).toEqual([1, 3, 5]);
    expect(Array.from(topKIndices(s, 10))).toEqual([1, 3, 5, 0]);
  });
});

describe('beyond accuracy', () => {
  // Users: 0 has items {0,1}, 1 has {0,1,2}, 2 has {0}; 4 items, item 3 unseen.
  const train = fromTriples(['u0', 'u1', 'u2'], ['a', 'b', 'c', 'd'], {
    u: [0, 0, 1, 1, 1, 2],
    i: [0, 1, 0, 1, 2, 0],
    v: [1, 1, 1, 1, 1, 1],
    t: [0, 0, 0, 0, 0, 0],
  }).data;

  it('computes coverage over training items, novelty from user shares, diversity from co-occurrence', () => {
    const acc = new BeyondAccuracyAccumulator(new ItemUsers(train));
    acc.add([0, 2]);
    const r = acc.result();
    expect(r.coverage).toBeCloseTo(2 / 3, 12);
    // p(a) = 3/3, p(c) = 1/3 → novelty (0 + log2 3) / 2.
    expect(r.novelty).toBeCloseTo(Math.log2(3) / 2, 12);
    // cos(a, c) = 1 / sqrt(3 · 1).
    expect(r.diversity).toBeCloseTo(1 - 1 / Math.sqrt(3), 12);
  });

  it('uses categories for diversity when they are known', () => {
    const acc = new BeyondAccuracyAccumulator(new ItemUsers(train), [0, 0, 1, 1]);
    acc.add([0, 1, 2]); // pairs: ab same, ac diff, bc diff → similarity 1/3
    expect(acc.result().diversity).toBeCloseTo(2 / 3, 12);
  });
});
