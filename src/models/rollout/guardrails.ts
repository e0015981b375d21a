/**
 * The rollout's verdict from its counts: roll back as soon as a guardrail
 * breaks (errors, decision latency p99, recommendation clicks or purchases
 * significantly lower), promote when the candidate's recommendation click
 * rate is significantly higher and the guardrails hold, retire it when
 * neither happened after `maxVisitors`. "Significantly" is the mixture
 * sequential test (stats/msprt.ts): always valid, so looking after every
 * visitor does not inflate false positives.
 * @module
 */
import { SequentialTest } from '../../stats/msprt.js';
import type { RolloutConfig } from '../lifecycle-config.js';
import type { ArmStats } from './arm-stats.js';

export type Verdict =
  | { action: 'continue' }
  | { action: 'promote'; reason: string }
  | { action: 'rollback'; reason: string }
  | { action: 'retire'; reason: string };

/** Errors needed before the error rate is judged (one early throw is not a rate). */
const MIN_ERRORS = 3;

/** The latency guardrail's limit for the candidate, from production's p99. */
export function latencyLimit(productionP99: number, c: RolloutConfig): number {
  return Math.max(productionP99 * c.maxLatencyRatio, productionP99 + c.latencySlackMs);
}

/** Errors and latency: the guardrails a shadow can judge too. */
export function operationalBreak(prod: ArmStats, cand: ArmStats, c: RolloutConfig): string | undefined {
  const tries = cand.decisions + cand.errors;
  if (cand.errors >= MIN_ERRORS && cand.errors / tries > c.maxErrorRate)
    return `errors: ${cand.errors} of ${tries} decisions threw (limit ${(c.maxErrorRate * 100).toFixed(1)}%)`;
  if (prod.latencySamples >= c.minLatencySamples && cand.latencySamples >= c.minLatencySamples) {
    const limit = latencyLimit(prod.p99(), c);
    const p99 = cand.p99();
    if (p99 > limit)
      return `latency: decision p99 ${p99.toFixed(2)} ms over the limit ${limit.toFixed(2)} ms (production ${prod.p99().toFixed(2)} ms)`;
  }
  return undefined;
}

/** The sequential tests of one canary: recommendation click rate and purchase conversion. */
export class CanaryTests {
  readonly clicks: SequentialTest;
  readonly purchases: SequentialTest;
  constructor(alpha: number) {
    this.clicks = new SequentialTest(alpha);
    this.purchases = new SequentialTest(alpha);
  }

  /** One look at the counts; the verdict it gives. */
  judge(prod: ArmStats, cand: ArmStats, c: RolloutConfig): Verdict {
    const broken = operationalBreak(prod, cand, c);
    if (broken) return { action: 'rollback', reason: broken };
    const pn = prod.visitors.size;
    const cn = cand.visitors.size;
    if (pn < c.minVisitors || cn < c.minVisitors) return { action: 'continue' };
    const clickP = this.clicks.look({ n: pn, x: prod.clickers.size }, { n: cn, x: cand.clickers.size });
    const buyP = this.purchases.look({ n: pn, x: prod.buyers.size }, { n: cn, x: cand.buyers.size });
    const clickDiff = cand.clickers.size / cn - prod.clickers.size / pn;
    const buyDiff = cand.buyers.size / cn - prod.buyers.size / pn;
    if (this.purchases.concluded && buyDiff < 0)
      return { action: 'rollback', reason: `conversion lower (${pct(buyDiff)}, p=${buyP.toFixed(4)})` };
    if (this.clicks.concluded && clickDiff < 0)
      return {
        action: 'rollback',
        reason: `recommendation click rate lower (${pct(clickDiff)}, p=${clickP.toFixed(4)})`,
      };
    if (this.clicks.concluded && clickDiff > 0)
      return {
        action: 'promote',
        reason: `recommendation click rate higher (${pct(clickDiff)}, p=${clickP.toFixed(4)}), guardrails held`,
      };
    if (cn >= c.maxVisitors)
      return { action: 'retire', reason: `no significant difference after ${cn} canary visitors` };
    return { action: 'continue' };
  }
}

function pct(d: number): string {
  return `${d >= 0 ? '+' : ''}${(d * 100).toFixed(1)} points`;
}
