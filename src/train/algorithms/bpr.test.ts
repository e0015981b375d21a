import { describe, expect, it } from 'vitest';
import { BprModel } from './bpr.js';
import { PopularityModel } from './popularity.js';
import { clusteredInteractions } from './synthetic.js';
import { ndcgAtK, splitTopKValidation } from './validation.js';

const data = clusteredInteractions({ users: 300, items: 200, clusters: 6, perUser: 15, seed: 8 });

describe('BPR matrix factorization', () => {
  it('beats popularity on nDCG@10 on data with cluster structure', () => {
    const split = splitTopKValidation(data, 0.25, 3);
    const bpr = new BprModel({ factors: 16, epochs: 30, regularization: 0.01 });
    bpr.fit(split.fit);
    const pop = new PopularityModel();
    pop.fit(split.fit);
    expect(ndcgAtK(bpr, split, 10)).toBeGreaterThan(ndcgAtK(pop, split, 10) * 1.2);
  });

  it('is deterministic for a seed, and the seed matters', () => {
    const trained = (seed: number) => {
      const m = new BprModel({ factors: 8, epochs: 2, seed });
      m.fit(data);
      return m;
    };
    const [a, b, c] = [trained(1), trained(1), trained(2)];
    expect(a.itemFactors().data).toEqual(b.itemFactors().data);
    const sa = new Float32Array(200);
    const sb = new Float32Array(200);
    a.score(5, sa);
    b.score(5, sb);
    expect(sa).toEqual(sb);
    expect(a.itemFactors().data).not.toEqual(c.itemFactors().data);
  });

  it('gives item neighbours mostly from the item’s own cluster', () => {
    const m = new BprModel({ factors: 16, epochs: 30, regularization: 0.01 });
    m.fit(data);
    const rows = m.neighbours(5);
    expect(rows).toHaveLength(200);
    let same = 0;
    let all = 0;
    // The generator puts item i in cluster i mod clusters.
    const cluster = (i: number) => i % 6;
    rows.slice(0, 60).forEach((row, i) => {
      for (const [j] of row) {
        all++;
        if (cluster(j) === cluster(i)) same++;
      }
    });
    expect(same / all).toBeGreaterThan(0.5);
  });
});
