import { describe, expect, it } from 'vitest';
import { AlsModel } from './als.js';
import { clusteredInteractions } from './synthetic.js';

const data = clusteredInteractions({ users: 120, items: 80, clusters: 4, perUser: 10, seed: 5 });

describe('implicit ALS with conjugate gradient', () => {
  it('lowers the weighted loss at every sweep', () => {
    const m = new AlsModel({ factors: 8, iterations: 8, regularization: 0.1, alpha: 5 });
    m.trackLoss = true;
    m.fit(data);
    const h = m.lossHistory;
    expect(h).toHaveLength(8);
    for (let i = 1; i < h.length; i++) expect(h[i]!).toBeLessThanOrEqual(h[i - 1]! * (1 + 1e-9));
    expect(h[h.length - 1]!).toBeLessThan(h[0]! * 0.9);
  });

  it('is deterministic given the seed, and the seed matters', () => {
    const a = new AlsModel({ factors: 4, iterations: 2, seed: 1 });
    const b = new AlsModel({ factors: 4, iterations: 2, seed: 1 });
    const c = new AlsModel({ factors: 4, iterations: 2, seed: 2 });
    for (const m of [a, b, c]) m.fit(data);
    expect(a.itemFactors().data).toEqual(b.itemFactors().data);
    expect(a.itemFactors().data).not.toEqual(c.itemFactors().data);
  });

  it('exposes item factors as items × dim and scores by u·V', () => {
    const m = new AlsModel({ factors: 6, iterations: 3 });
    m.fit(data);
    const { dim, data: v } = m.itemFactors();
    expect(dim).toBe(6);
    expect(v).toHaveLength(80 * 6);
    const out = new Float32Array(80);
    m.score(3, out);
    let s = 0;
    for (let a = 0; a < 6; a++) s += m.users[3 * 6 + a]! * v[7 * 6 + a]!;
    expect(out[7]).toBeCloseTo(s, 4);
  });

  it('ranks a user’s own cluster above other clusters', () => {
    const m = new AlsModel({ factors: 8, iterations: 10, regularization: 0.1, alpha: 10 });
    m.fit(data);
    const out = new Float32Array(80);
    let own = 0;
    let other = 0;
    for (let u = 0; u < 120; u++) {
      m.score(u, out);
      for (let i = 0; i < 80; i++) {
        if (i % 4 === u % 4) own += out[i]!;
        else other += out[i]! / 3;
      }
    }
    expect(own).toBeGreaterThan(other * 2);
  });

  it('gives item neighbours by cosine of the factors, from the item’s own cluster', () => {
    const m = new AlsModel({ factors: 8, iterations: 10, regularization: 0.1, alpha: 10 });
    m.fit(data);
    const rows = m.neighbours(5);
    expect(rows).toHaveLength(80);
    let same = 0;
    let all = 0;
    rows.forEach((row, i) => {
      expect(row.length).toBeLessThanOrEqual(5);
      expect(row.some(([j]) => j === i)).toBe(false);
      for (let r = 1; r < row.length; r++) expect(row[r]![1]).toBeLessThanOrEqual(row[r - 1]![1]);
      for (const [j] of row) {
        all++;
        if (j % 4 === i % 4) same++;
      }
    });
    expect(same / all).toBeGreaterThan(0.8);
    // The score is the cosine of the two item vectors.
    const [j, s] = rows[0]![0]!;
    const v = m.items;
    let dot = 0;
    let ni = 0;
    let nj = 0;
    for (let a = 0; a < 8; a++) {
      dot += v[a]! * v[j * 8 + a]!;
      ni += v[a]! ** 2;
      nj += v[j * 8 + a]! ** 2;
    }
    expect(s).toBeCloseTo(dot / Math.sqrt(ni * nj), 4);
  });
});
