/**
 * The rollout's verdict from its counts: roll back as soon as a guardrail
 * breaks (errors, decision latency p99, recommendation clicks or purchases
 * significantly lower), promote when the candidate's recommendation click
 * rate is significantly higher and the guardrails hold, retire it when
 * neither happened after `maxVisitors`. "Significantly" is the mixture
 * sequential test (stats/msprt.ts): always valid, so looking after every
 * visitor does not inflate false positives.
 *
 * It judges the cluster's counts (rollout/tallies.ts), not one node's.
 * @module
 */
import { SequentialTest } from '../../stats/msprt.js';
import type { RolloutConfig } from '../lifecycle-config.js';
import type { CombinedTally } from './tallies.js';

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
export function operationalBreak(t: CombinedTally, c: RolloutConfig): string | undefined {
  const cand = t.candidate;
  const tries = cand.decisions + cand.errors;
  if (cand.errors >= MIN_ERRORS && cand.errors / tries > c.maxErrorRate)
    return `errors: ${cand.errors} of ${tries} decisions threw (limit ${(c.maxErrorRate * 100).toFixed(1)}%)`;
  // Per replica: its candidate against its own production (machines differ); any one breaking is a break.
  for (const l of t.latency) {
    if (l.production.samples < c.minLatencySamples || l.candidate.samples < c.minLatencySamples) continue;
    const limit = latencyLimit(l.production.p99, c);
    const p99 = l.candidate.p99;
    if (p99 > limit) {
      const where = t.replicas > 1 ? ` on ${l.replica}` : '';
      return `latency: decision p99 ${p99.toFixed(2)} ms over the limit ${limit.toFixed(2)} ms (production ${l.production.p99.toFixed(2)} ms)${where}`;
    }
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

  /** One look at the cluster's counts; the verdict it gives. */
  judge(t: CombinedTally, c: RolloutConfig): Verdict {
    const broken = operationalBreak(t, c);
    if (broken) return { action: 'rollback', reason: broken };
    const prod = t.production;
    const cand = t.candidate;
    const pn = prod.visitors;
    const cn = cand.visitors;
    if (pn < c.minVisitors || cn < c.minVisitors) return { action: 'continue' };
    const clickP = this.clicks.look({ n: pn, x: prod.clickers }, { n: cn, x: cand.clickers });
    const buyP = this.purchases.look({ n: pn, x: prod.buyers }, { n: cn, x: cand.buyers });
    const clickDiff = cand.clickers / cn - prod.clickers / pn;
    const buyDiff = cand.buyers / cn - prod.buyers / pn;
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
