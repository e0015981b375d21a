/**
 * Sample-ratio mismatch: a chi-square goodness-of-fit test of the exposure
 * counts per arm against the configured split. A p-value below 0.001 (the
 * usual threshold, Fabijan et al. 2019) means the split is broken — a bug in
 * assignment, logging or bot filtering — and no lift from it can be trusted.
 * @module
 */
import { chiSquareSf } from './special.js';

export const SRM_THRESHOLD = 0.001;

export interface SrmResult {
  chiSquare: number;
  df: number;
  p: number;
  /** True when p ≥ the threshold: no evidence of a mismatch. */
  pass: boolean;
}

/** `observed[i]` exposures of arm i; `weights[i]` its configured share (any scale). */
export function srmCheck(
  observed: readonly number[],
  weights: readonly number[],
  threshold = SRM_THRESHOLD,
): SrmResult {
  const total = observed.reduce((a, b) => a + b, 0);
  const wsum = weights.reduce((a, b) => a + b, 0);
  let chi = 0;
  let df = -1;
  for (let i = 0; i < observed.length; i++) {
    const w = weights[i] ?? 0;
    if (w <= 0) continue;
    const expected = (total * w) / wsum;
    df++;
    if (expected > 0) chi += ((observed[i] ?? 0) - expected) ** 2 / expected;
  }
  if (total === 0 || df < 1) return { chiSquare: 0, df: Math.max(df, 0), p: 1, pass: true };
  const p = chiSquareSf(chi, df);
  return { chiSquare: chi, df, p, pass: p >= threshold };
}
