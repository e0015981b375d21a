/**
 * Many seeds: how often the sequential test declares a winner. With
 * personalization off in both arms (an A/A test) that share is the
 * false-positive rate, which must stay within the test's nominal level
 * 1 − confidence; with it on, the share is the power.
 * @module
 */
import { wilson } from '../stats/proportions.js';
import { type SimOptions, type SimResult, simulate } from './run.js';

export interface SeedsResult {
  seeds: number;
  visitors: number;
  personalization: boolean;
  significant: number;
  /** Significant runs / seeds: the false-positive rate for an A/A run. */
  rate: number;
  /** 95% Wilson interval of that rate. */
  rate_ci: [number, number];
  nominal: number;
  within_nominal: boolean;
  srm_failures: number;
  runs: Array<Pick<SimResult, 'seed' | 'lift' | 'p_sequential' | 'significant' | 'srm_pass'>>;
}

export async function simulateSeeds(
  o: Omit<SimOptions, 'seed'> & { seeds: number; firstSeed?: number; onSeed?: (r: SimResult) => void },
): Promise<SeedsResult> {
  const runs: SeedsResult['runs'] = [];
  let confidence = 0.99;
  for (let i = 0; i < o.seeds; i++) {
    const r = await simulate({ ...o, seed: (o.firstSeed ?? 1) + i });
    confidence = r.confidence;
    o.onSeed?.(r);
    runs.push({
      seed: r.seed,
      lift: r.lift,
      p_sequential: r.p_sequential,
      significant: r.significant,
      srm_pass: r.srm_pass,
    });
  }
  const significant = runs.filter((r) => r.significant).length;
  const ci = wilson(significant, runs.length, 0.95);
  const nominal = 1 - confidence;
  const rate = runs.length ? significant / runs.length : 0;
  return {
    seeds: runs.length,
    visitors: o.visitors,
    personalization: o.personalization ?? true,
    significant,
    rate,
    rate_ci: [ci.lo, ci.hi],
    nominal,
    // Within the level: the observed rate's interval reaches down to it.
    within_nominal: ci.lo <= nominal,
    srm_failures: runs.filter((r) => !r.srm_pass).length,
    runs,
  };
}
