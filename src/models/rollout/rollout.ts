/**
 * One candidate's rollout on this node. In `shadow` the candidate's lists are
 * computed beside production's for a sample of decisions (overlap@k and
 * latency compared) and never served; in `canary` it serves the visitors
 * whose id hashes below `share` (sticky: the experiments' bucketing hash with
 * a seed of the candidate's version, so a new candidate draws a new slice).
 * Visitors without an id (no consent) always get production.
 * @module
 */
import { hashUnit } from '../../core/experiments/bucket.js';
import type { ModelRoute, RoutedDecision, SlotLists } from '../../core/model-router.js';
import type { Artifact } from '../../core/recommend/index.js';
import type { LoggedEvent } from '../../core/types.js';
import type { RolloutConfig } from '../lifecycle-config.js';
import { ArmStats } from './arm-stats.js';
import { CanaryTests, operationalBreak, type Verdict } from './guardrails.js';

export type RolloutPhase = 'shadow' | 'canary';

/** Share of the items of production's lists that the candidate's lists hold too (overlap@k), per slot. */
export function overlapAtK(a: SlotLists, b: SlotLists): number | undefined {
  let shared = 0;
  let total = 0;
  for (const [slot, items] of Object.entries(a)) {
    if (items.length === 0) continue;
    const other = new Set((b[slot] ?? []).map((r) => r.item));
    for (const r of items) if (other.has(r.item)) shared++;
    total += items.length;
  }
  return total === 0 ? undefined : shared / total;
}

function itemsIn(lists: SlotLists): number {
  let n = 0;
  for (const items of Object.values(lists)) n += items.length;
  return n;
}

export class Rollout {
  production = new ArmStats();
  candidateStats = new ArmStats();
  phase: RolloutPhase;
  private tests: CanaryTests;
  private readonly seed: string;
  private shadowCount = 0;
  private overlapSum = 0;
  private overlapN = 0;
  /** Decisions seen, to sample the shadow evenly. */
  private seen = 0;

  constructor(
    readonly candidate: Artifact,
    private readonly config: RolloutConfig,
    private readonly recSlots: ReadonlySet<string>,
    phase?: RolloutPhase,
  ) {
    this.phase = phase ?? (config.mode === 'canary' ? 'canary' : 'shadow');
    this.tests = new CanaryTests(config.alpha);
    this.seed = `tessera-model-rollout:${candidate.version}`;
  }

  /** The share of visitors the candidate serves now (0 in shadow). */
  get share(): number {
    return this.phase === 'canary' ? this.config.share : 0;
  }

  /** Whether the visitor is in the canary slice (sticky). */
  inCanary(visitor: string | undefined): boolean {
    return (
      visitor !== undefined && this.phase === 'canary' && hashUnit(this.seed, visitor) < this.config.share
    );
  }

  route(production: Artifact | undefined, visitor: string | undefined): ModelRoute {
    return this.inCanary(visitor)
      ? { artifact: this.candidate, arm: 'candidate' }
      : { artifact: production, arm: 'production' };
  }

  decided(d: RoutedDecision, candidateView: Artifact): void {
    const served = itemsIn(d.lists);
    if (d.route.arm === 'candidate') {
      this.candidateStats.served(d.visitorId, d.ms, served);
      return;
    }
    this.production.served(d.visitorId, d.ms, served);
    if (this.phase !== 'shadow') return;
    // Every n-th decision, so the shadow costs `shadowSample` of a decision on average.
    const every = Math.max(1, Math.round(1 / Math.max(this.config.shadowSample, 1e-6)));
    if (this.seen++ % every !== 0) return;
    try {
      const shadow = d.again(candidateView);
      this.candidateStats.decisions++;
      this.candidateStats.timed(shadow.ms);
      this.shadowCount++;
      const overlap = overlapAtK(d.lists, shadow.lists);
      if (overlap !== undefined) {
        this.overlapSum += overlap;
        this.overlapN++;
      }
    } catch {
      this.candidateStats.errors++;
    }
  }

  failed(): void {
    this.candidateStats.errors++;
  }

  /** An event the log took: a recommendation click or a purchase, credited to the arm that served the visitor. */
  event(e: LoggedEvent): void {
    const arm = this.candidateStats.visitors.has(e.visitor)
      ? this.candidateStats
      : this.production.visitors.has(e.visitor)
        ? this.production
        : undefined;
    if (!arm) return;
    if (e.type === 'click' && typeof e.props?.slot === 'string' && this.recSlots.has(e.props.slot))
      arm.clicked(e.visitor);
    else if (e.type === 'purchase') arm.bought(e.visitor);
  }

  /** One look: what should happen to the candidate now. */
  judge(): Verdict {
    if (this.phase === 'shadow') {
      const broken = operationalBreak(this.production, this.candidateStats, this.config);
      if (broken) return { action: 'rollback', reason: `shadow ${broken}` };
      if (this.config.mode === 'shadow-then-canary' && this.shadowCount >= this.config.shadowDecisions) {
        this.phase = 'canary';
        // The canary starts its counts afresh: shadow latencies are not served ones.
        this.reset();
      }
      return { action: 'continue' };
    }
    return this.tests.judge(this.production, this.candidateStats, this.config);
  }

  private reset(): void {
    this.production = new ArmStats();
    this.candidateStats = new ArmStats();
    this.tests = new CanaryTests(this.config.alpha);
  }

  toJSON() {
    return {
      candidate: this.candidate.version,
      phase: this.phase,
      share: this.share,
      production: this.production.toJSON(),
      candidate_stats: this.candidateStats.toJSON(),
      ...(this.shadowCount > 0
        ? {
            shadow: {
              decisions: this.shadowCount,
              overlap_at_k: this.overlapN > 0 ? this.overlapSum / this.overlapN : null,
            },
          }
        : {}),
      tests: { clicks: this.tests.clicks.toJSON(), purchases: this.tests.purchases.toJSON() },
    };
  }
}
