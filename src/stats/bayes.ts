/**
 * Bayesian probability to beat control with Beta posteriors: a uniform
 * Beta(1, 1) prior updated by x conversions of n gives Beta(1 + x, 1 + n − x).
 *
 * `probBeatsExact` is the closed form for integer parameters (Evan Miller,
 * "Formulas for Bayesian A/B Testing", 2014):
 *
 *   P(p_B > p_A) = Σ_{i=0}^{α_B−1} B(α_A + i, β_A + β_B) / ((β_B + i) · B(1 + i, β_B) · B(α_A, β_A))
 *
 * summed in log space; its cost is α_B terms. `probBeatsMonteCarlo` draws
 * from both posteriors with a seeded source, for arms with many conversions
 * or more than two arms.
 * @module
 */
import { seededRandom } from './random.js';
import { lnBeta } from './special.js';

export interface BetaPosterior {
  alpha: number;
  beta: number;
}

export function posterior(x: number, n: number, prior: BetaPosterior = { alpha: 1, beta: 1 }): BetaPosterior {
  return { alpha: prior.alpha + x, beta: prior.beta + n - x };
}

/** Exact P(p_b > p_a) for Beta posteriors with integer α_b (others may be real). */
export function probBeatsExact(a: BetaPosterior, b: BetaPosterior): number {
  let total = 0;
  const base = lnBeta(a.alpha, a.beta);
  for (let i = 0; i < b.alpha; i++) {
    total += Math.exp(
      lnBeta(a.alpha + i, a.beta + b.beta) - Math.log(b.beta + i) - lnBeta(1 + i, b.beta) - base,
    );
  }
  return Math.min(1, Math.max(0, total));
}

/** Monte Carlo P(each arm is best), seeded, for any number of arms. */
export function probBestMonteCarlo(arms: readonly BetaPosterior[], draws = 20_000, seed = 1): number[] {
  const rnd = seededRandom(seed);
  const wins = new Array<number>(arms.length).fill(0);
  for (let d = 0; d < draws; d++) {
    let best = 0;
    let bestValue = -1;
    for (let i = 0; i < arms.length; i++) {
      const arm = arms[i]!;
      const v = rnd.beta(arm.alpha, arm.beta);
      if (v > bestValue) {
        bestValue = v;
        best = i;
      }
    }
    wins[best]!++;
  }
  return wins.map((w) => w / draws);
}

/** P(p_b > p_a): exact when α_b is small enough, Monte Carlo (seeded) otherwise. */
export function probBeats(a: BetaPosterior, b: BetaPosterior, seed = 1): number {
  if (Number.isInteger(b.alpha) && b.alpha <= 20_000) return probBeatsExact(a, b);
  return probBestMonteCarlo([a, b], 40_000, seed)[1]!;
}
