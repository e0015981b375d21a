/**
 * One candidate's rollout on this node. In `shadow` the candidate's lists are
 * computed beside production's for a sample of decisions (overlap@k and
 * latency compared) and never served; in `canary` it serves the visitors
 * whose id hashes below `share` (sticky: the experiments' bucketing hash with
 * a seed of the candidate's version, so a new candidate draws a new slice).
 * Visitors without an id (no consent) always get production. A plain
 * shadow ends after `maxShadowDecisions` (retired: it has no clicks to win on).
 *
 * Counts are this node's (`production`, `candidateStats`: the visitors it
 * served, so it can credit their clicks); verdicts are the cluster's: each
 * look merges this node's report with the others' (`merge`, from the bus)
 * and judges the sums (rollout/tallies.ts).
 * @module
 */
import { hashUnit } from '../../core/experiments/bucket.js';
import type { ModelRoute, RoutedDecision, SlotLists } from '../../core/model-router.js';
import type { Artifact } from '../../core/recommend/index.js';
import type { LoggedEvent } from '../../core/types.js';
import type { RolloutConfig } from '../lifecycle-config.js';
import { ArmStats } from './arm-stats.js';
import { CanaryTests, operationalBreak, type Verdict } from './guardrails.js';
import { type CombinedTally, type RolloutPhase, type RolloutReport, RolloutTallies } from './tallies.js';

export type { RolloutPhase } from './tallies.js';

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

/** Why a plain shadow ends when its decisions are enough: it held, and a shadow cannot earn production. */
function shadowComplete(t: CombinedTally): string {
  const overlap =
    t.shadow.overlapN > 0 ? `, overlap@k ${(t.shadow.overlapSum / t.shadow.overlapN).toFixed(2)}` : '';
  return (
    `shadow complete: ${t.shadow.decisions} shadow decisions, guardrails held${overlap}; ` +
    'not promoted: a shadow serves nothing, so there is no click evidence (run a canary for that)'
  );
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
  /** Every replica's reports on this candidate, this one's included. */
  private readonly tallies: RolloutTallies;
  private seq = 0;
  /** The cluster's counts at the last look. */
  private lastLook: CombinedTally | undefined;
  /** This node's report at the last look: what it publishes. */
  latest: RolloutReport | undefined;

  constructor(
    readonly candidate: Artifact,
    private readonly config: RolloutConfig,
    private readonly recSlots: ReadonlySet<string>,
    phase?: RolloutPhase,
    /** This node process's name in the cluster's counts (node id and incarnation). */
    readonly replica = 'local',
  ) {
    this.phase = phase ?? (config.mode === 'canary' ? 'canary' : 'shadow');
    this.tests = new CanaryTests(config.alpha);
    this.seed = `tessera-model-rollout:${candidate.version}`;
    this.tallies = new RolloutTallies(candidate.version);
  }

  /** This node's counts as a report for the others (each report newer than the last). */
  report(): RolloutReport {
    return {
      replica: this.replica,
      candidate: this.candidate.version,
      phase: this.phase,
      seq: ++this.seq,
      production: this.production.tally(),
      candidate_arm: this.candidateStats.tally(),
      shadow: { decisions: this.shadowCount, overlapSum: this.overlapSum, overlapN: this.overlapN },
    };
  }

  /** Another node's report (a report on another candidate is ignored). */
  merge(report: RolloutReport): void {
    if (report.replica !== this.replica) this.tallies.merge(report);
  }

  /** The cluster's counts for the current phase, this node's latest included. */
  combined(): CombinedTally {
    this.latest = this.report();
    this.tallies.merge(this.latest);
    return this.tallies.combined(this.phase);
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
    const t = this.combined();
    this.lastLook = t;
    if (this.phase === 'shadow') {
      const broken = operationalBreak(t, this.config);
      if (broken) return { action: 'rollback', reason: `shadow ${broken}` };
      // The cluster's shadow decisions: every node moves on once they are enough, whoever computed them.
      if (this.config.mode === 'shadow-then-canary' && t.shadow.decisions >= this.config.shadowDecisions) {
        this.phase = 'canary';
        // The canary starts its counts afresh: shadow latencies are not served ones.
        this.reset();
      }
      if (this.config.mode === 'shadow' && t.shadow.decisions >= this.config.maxShadowDecisions)
        return { action: 'retire', reason: shadowComplete(t) };
      return { action: 'continue' };
    }
    return this.tests.judge(t, this.config);
  }

  /** The cluster's visitors at the last look (this node's alone before any). */
  clusterVisitors(): { production: number; candidate: number; replicas: number } {
    const t = this.lastLook ?? this.tallies.combined(this.phase);
    return { production: t.production.visitors, candidate: t.candidate.visitors, replicas: t.replicas };
  }

  private reset(): void {
    this.production = new ArmStats();
    this.candidateStats = new ArmStats();
    this.tests = new CanaryTests(this.config.alpha);
    this.lastLook = undefined;
  }

  toJSON() {
    const t = this.lastLook;
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
      // What the verdict is judged on: the sums over every node's reports at the last look.
      cluster: t
        ? {
            replicas: t.replicas,
            production: t.production,
            candidate: t.candidate,
            ...(this.phase === 'shadow' ? { shadow_decisions: t.shadow.decisions } : {}),
          }
        : null,
    };
  }
}
