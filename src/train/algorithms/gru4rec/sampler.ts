/**
 * Negative samples drawn by popularity^alpha (GRU4Rec's `sample_alpha`):
 * alpha = 0 is uniform, 1 is proportional to clicks. A cumulative table and
 * a binary search: O(log items) per draw, no allocation.
 * @module
 */
import type { Rng } from '../../rng.js';

export class PopularitySampler {
  private readonly cumulative: Float64Array;

  constructor(counts: ArrayLike<number>, alpha: number) {
    this.cumulative = new Float64Array(counts.length);
    let sum = 0;
    for (let i = 0; i < counts.length; i++) {
      sum += counts[i]! > 0 ? counts[i]! ** alpha : 0;
      this.cumulative[i] = sum;
    }
  }

  draw(rng: Rng): number {
    const c = this.cumulative;
    const x = rng() * c[c.length - 1]!;
    let lo = 0;
    let hi = c.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (c[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
