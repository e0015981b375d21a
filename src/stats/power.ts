/**
 * Power: the smallest relative lift a two-proportion test would detect at a
 * given sample size, so a reader can tell "no effect" from "too few
 * visitors" when a test says `significant: false`.
 *
 * The standard normal-approximation formula for two proportions, with the
 * baseline's variance in both arms:
 *
 *   δ = (z₁₋α/₂ + z_power) · √(p (1 − p) (1/n_control + 1/n_treatment))
 *   minimum detectable lift = δ / p
 *
 * It is the fixed-horizon test's MDE. An always-valid sequential test (the
 * mSPRT the experiments use) pays for peeking with power, so what it can
 * detect at the same α is somewhat larger: read this as a floor.
 * @module
 */
import { normalQuantile } from './special.js';

export interface MdeInput {
  /** Conversion rate of the control arm. */
  baseline: number;
  nControl: number;
  nTreatment: number;
  /** Two-sided significance level, 1 − confidence. */
  alpha: number;
  /** Probability of detecting a true lift of the returned size (default 0.8). */
  power?: number;
}

export const DEFAULT_POWER = 0.8;

/** Relative lift (0.1 = +10%), or undefined with no baseline or no visitors to be relative to. */
export function minimumDetectableLift(o: MdeInput): number | undefined {
  const { baseline: p, nControl, nTreatment, alpha } = o;
  if (!(p > 0 && p < 1) || !(nControl > 0 && nTreatment > 0)) return undefined;
  const z = normalQuantile(1 - alpha / 2) + normalQuantile(o.power ?? DEFAULT_POWER);
  return (z * Math.sqrt(p * (1 - p) * (1 / nControl + 1 / nTreatment))) / p;
}
