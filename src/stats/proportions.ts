/**
 * Intervals for proportions and for the difference and ratio of two:
 * Wilson's score interval, Newcombe's hybrid score interval for a difference
 * (method 10 of Newcombe 1998), the Katz log interval for a ratio (relative
 * lift), and the pooled two-proportion z-test.
 * @module
 */
import { normalQuantile, twoSidedP } from './special.js';

export interface Interval {
  lo: number;
  hi: number;
}

/** z for a two-sided interval at `confidence` (0.95 → 1.95996). */
export function zFor(confidence: number): number {
  return normalQuantile(1 - (1 - confidence) / 2);
}

/** Wilson score interval for x successes out of n. */
export function wilson(x: number, n: number, confidence = 0.95): Interval {
  if (n <= 0) return { lo: 0, hi: 1 };
  const z = zFor(confidence);
  const p = x / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { lo: Math.max(0, centre - half), hi: Math.min(1, centre + half) };
}

/**
 * Newcombe's hybrid score interval for p₁ − p₂ (no continuity correction):
 * built from each arm's Wilson interval, good coverage even for small counts.
 */
export function newcombeDiff(x1: number, n1: number, x2: number, n2: number, confidence = 0.95): Interval {
  const p1 = n1 > 0 ? x1 / n1 : 0;
  const p2 = n2 > 0 ? x2 / n2 : 0;
  const a = wilson(x1, n1, confidence);
  const b = wilson(x2, n2, confidence);
  const d = p1 - p2;
  const lo = d - Math.sqrt((p1 - a.lo) ** 2 + (b.hi - p2) ** 2);
  const hi = d + Math.sqrt((a.hi - p1) ** 2 + (p2 - b.lo) ** 2);
  return { lo, hi };
}

/**
 * Relative lift p_t / p_c − 1 with the Katz log interval for the ratio.
 * Undefined bounds (a zero count) come back as ±Infinity.
 */
export function relativeLift(
  xt: number,
  nt: number,
  xc: number,
  nc: number,
  confidence = 0.95,
): { lift: number; ci: Interval } {
  const pt = nt > 0 ? xt / nt : 0;
  const pc = nc > 0 ? xc / nc : 0;
  const lift = pc > 0 ? pt / pc - 1 : Number.NaN;
  if (xt === 0 || xc === 0) return { lift, ci: { lo: -1, hi: Number.POSITIVE_INFINITY } };
  const se = Math.sqrt(1 / xt - 1 / nt + 1 / xc - 1 / nc);
  const z = zFor(confidence);
  const logRatio = Math.log(pt / pc);
  return { lift, ci: { lo: Math.exp(logRatio - z * se) - 1, hi: Math.exp(logRatio + z * se) - 1 } };
}

/** Pooled two-proportion z-test of p₁ = p₂; returns z and the two-sided p-value. */
export function twoProportionZ(x1: number, n1: number, x2: number, n2: number): { z: number; p: number } {
  if (n1 <= 0 || n2 <= 0) return { z: 0, p: 1 };
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return { z: 0, p: 1 };
  const z = (x1 / n1 - x2 / n2) / se;
  return { z, p: twoSidedP(z) };
}
