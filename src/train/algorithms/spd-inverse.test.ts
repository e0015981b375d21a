import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../rng.js';
import { choleskyInPlace, spdInverse } from './spd-inverse.js';

function randomSpd(n: number, seed: number): Float64Array {
  const rng = mulberry32(seed);
  const x = Float64Array.from({ length: n * n }, () => rng() - 0.5);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += x[k * n + i]! * x[k * n + j]!;
      a[i * n + j] = s + (i === j ? 0.5 : 0);
    }
  return a;
}

describe('spdInverse', () => {
  it('factors a 3×3 matrix into the known Cholesky factor', () => {
    const a = Float64Array.from([4, 12, -16, 12, 37, -43, -16, -43, 98]);
    choleskyInPlace(a, 3);
    expect(Array.from(a)).toEqual([2, 0, 0, 6, 1, 0, -8, 5, 3]);
  });

  it.each([1, 2, 3, 7, 16, 33])(
    'inverts a random %i×%i SPD matrix (odd sizes exercise the 2×2 blocking edges)',
    (n) => {
      const a = randomSpd(n, n);
      const p = spdInverse(a.slice(), n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let k = 0; k < n; k++) s += a[i * n + k]! * p[k * n + j]!;
          expect(s).toBeCloseTo(i === j ? 1 : 0, 9);
        }
    },
  );

  it('refuses a matrix that is not positive definite', () => {
    expect(() => spdInverse(Float64Array.from([1, 2, 2, 1]), 2)).toThrow(/not positive definite/);
  });
});
