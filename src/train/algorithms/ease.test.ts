import { describe, expect, it } from 'vitest';
import { fromPairs } from './csr.js';
import { EaseModel } from './ease.js';
import { clusteredInteractions } from './synthetic.js';

// Users × items: u0 {0,1}, u1 {0,1,2}, u2 {1,2}.
const x = fromPairs(3, ['a', 'b', 'c'], { u: [0, 0, 1, 1, 1, 2, 2], i: [0, 1, 0, 1, 2, 1, 2] });

/** Inverse of a 3×3 matrix by the adjugate, as one would by hand. */
function inverse3(m: number[]): number[] {
  const [a, b, c, d, e, f, g, h, k] = m as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const det = a * (e * k - f * h) - b * (d * k - f * g) + c * (d * h - e * g);
  const adj = [
    e * k - f * h,
    c * h - b * k,
    b * f - c * e,
    f * g - d * k,
    a * k - c * g,
    c * d - a * f,
    d * h - e * g,
    b * g - a * h,
    a * e - b * d,
  ];
  return adj.map((v) => v / det);
}

describe('EASE', () => {
  it('matches the closed form B = −P/diag(P) on a 3×3 example, with a zero diagonal', () => {
    const lambda = 1;
    // XᵀX = [[2,2,1],[2,3,2],[1,2,2]] for the data above.
    const p = inverse3([2 + lambda, 2, 1, 2, 3 + lambda, 2, 1, 2, 2 + lambda]);
    const m = new EaseModel(lambda, 'items');
    m.fit(x);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++)
        expect(m.b[i * 3 + j]).toBeCloseTo(i === j ? 0 : -p[i * 3 + j]! / p[j * 3 + j]!, 6);
  });

  it('gives the same B through the user-space (Woodbury) inverse', () => {
    const data = clusteredInteractions({ users: 40, items: 60, clusters: 4, perUser: 8, seed: 3 });
    const byItems = new EaseModel(20, 'items');
    const byUsers = new EaseModel(20, 'users');
    byItems.fit(data);
    byUsers.fit(data);
    for (let q = 0; q < byItems.b.length; q++) expect(byUsers.b[q]).toBeCloseTo(byItems.b[q]!, 5);
  });

  it('scores a user as the sum of the B rows of their items', () => {
    const m = new EaseModel(1, 'items');
    m.fit(x);
    const out = new Float32Array(3);
    m.score(2, out);
    for (let j = 0; j < 3; j++) expect(out[j]).toBeCloseTo(m.b[1 * 3 + j]! + m.b[2 * 3 + j]!, 6);
  });

  it('lists as neighbours of i the items with the largest positive B[i][j], never i itself', () => {
    const m = new EaseModel(1, 'items');
    m.fit(x);
    const nb = m.neighbours(2);
    for (let i = 0; i < 3; i++) {
      expect(nb[i]!.map(([j]) => j)).not.toContain(i);
      for (const [j, s] of nb[i]!) expect(s).toBeCloseTo(m.b[i * 3 + j]!, 6);
    }
    expect(nb[0]![0]![0]).toBe(1); // a co-occurs with b for both of a's users
  });
});
