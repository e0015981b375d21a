import { describe, expect, it } from 'vitest';
import { clipL2, gramOf, solveUser, trainLocally } from './client.js';

const DIM = 3;
const Y = Float32Array.from({ length: 8 * DIM }, (_, q) => Math.cos(q * 1.7) * 0.5);
const data = { items: Int32Array.of(1, 4), values: Float32Array.of(1, 3) };
const o = { dim: DIM, alpha: 2, lambda: 0.5 };

describe('federated client', () => {
  it('solves the user vector as the implicit-ALS normal equations say', () => {
    const x = solveUser(Y, gramOf(Y, 8, DIM), data, o);
    // Gradient of Σ_i c_i (p_i − x·y_i)² + λ|x|² must vanish at x.
    const g = new Float64Array(DIM);
    for (let i = 0; i < 8; i++) {
      const k = data.items.indexOf(i);
      const c = k >= 0 ? 1 + o.alpha * data.values[k]! : 1;
      const p = k >= 0 ? 1 : 0;
      let dot = 0;
      for (let d = 0; d < DIM; d++) dot += x[d]! * Y[i * DIM + d]!;
      for (let d = 0; d < DIM; d++) g[d]! += -2 * c * (p - dot) * Y[i * DIM + d]!;
    }
    for (let d = 0; d < DIM; d++) expect(g[d]! + 2 * o.lambda * x[d]!).toBeCloseTo(0, 9);
  });

  it('moves seen items towards the user and clips the update to C', () => {
    const free = trainLocally(Y, data, {
      ...o,
      epochs: 1,
      learningRate: 0.1,
      clip: Number.POSITIVE_INFINITY,
    });
    const x = free.user;
    const score = (y: ArrayLike<number>, i: number): number =>
      [0, 1, 2].reduce((s, d) => s + x[d]! * y[i * DIM + d]!, 0);
    const after = Y.map((v, q) => v + free.delta[q]!);
    expect(score(after, 4)).toBeGreaterThan(score(Y, 4));
    const clipped = trainLocally(Y, data, { ...o, epochs: 1, learningRate: 0.1, clip: free.rawNorm / 4 });
    expect(Math.hypot(...clipped.delta)).toBeCloseTo(free.rawNorm / 4, 5);
    expect(clipped.rawNorm).toBeCloseTo(free.rawNorm, 9);
  });

  it('leaves a vector within the bound untouched', () => {
    const v = Float32Array.of(0.3, 0.4);
    expect(clipL2(v, 1)).toBeCloseTo(0.5, 6);
    expect(Array.from(v)).toEqual([Float32Array.of(0.3)[0], Float32Array.of(0.4)[0]]);
  });
});
