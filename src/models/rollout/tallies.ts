/**
 * A rollout's counts across nodes, merged without coordination. Every node
 * process (a replica: node id and a random incarnation, so a restarted
 * process adds to the counts instead of shrinking them) publishes its own
 * report; a report's counters only grow while one candidate is in one phase,
 * so reports merge like a G-counter — per replica, each counter by max — and
 * the cluster's count is the sum over replicas. Merging is commutative,
 * associative and idempotent: every node that has seen the same reports
 * holds the same totals, whatever order and however often they arrived.
 *
 * Latency is not a counter: each replica's p99 over its own latest decisions
 * is a register owned by that replica (the report with the higher `seq`
 * wins), and the latency guardrail compares a replica's candidate with the
 * same replica's production: machines differ, a ratio on one is meaningful.
 *
 * The unit of the sequential tests is a visitor on a replica: a visitor whose
 * requests reach two nodes counts on each (with sticky load balancing, or one
 * node, that is each visitor once).
 * @module
 */

export type RolloutPhase = 'shadow' | 'canary';

/** One arm's counts on one replica. */
export interface ArmTally {
  visitors: number;
  clickers: number;
  buyers: number;
  decisions: number;
  errors: number;
  impressions: number;
  clicks: number;
  /** The replica's decision p99 over its latest samples (a register, not a counter). */
  p99: number;
  /** How many latency samples that p99 is over. */
  latencySamples: number;
}

/** Shadow comparisons on one replica: decisions computed, and the sum and count of their overlap@k. */
export interface ShadowTally {
  decisions: number;
  overlapSum: number;
  overlapN: number;
}

/** What one replica publishes about the rollout it runs. */
export interface RolloutReport {
  replica: string;
  candidate: string;
  phase: RolloutPhase;
  /** Grows with every report of the replica: the newer latency register wins. */
  seq: number;
  production: ArmTally;
  candidate_arm: ArmTally;
  shadow: ShadowTally;
}

/** The counters that merge by max per replica and add up across replicas. */
const COUNTERS = ['visitors', 'clickers', 'buyers', 'decisions', 'errors', 'impressions', 'clicks'] as const;
type Counter = (typeof COUNTERS)[number];

/** Every counter at zero (derived from COUNTERS, so a new counter cannot be left out). */
function totalsOf(): ArmTotals {
  const out = {} as ArmTotals;
  for (const k of COUNTERS) out[k] = 0;
  return out;
}
export type ArmTotals = Record<Counter, number>;

/** One replica's latency registers: its candidate against its production. */
export interface ReplicaLatency {
  replica: string;
  production: { p99: number; samples: number };
  candidate: { p99: number; samples: number };
}

/** The cluster's view of one phase of a rollout. */
export interface CombinedTally {
  replicas: number;
  production: ArmTotals;
  candidate: ArmTotals;
  latency: ReplicaLatency[];
  shadow: ShadowTally;
}

export const emptyArm = (): ArmTally => ({ ...totalsOf(), p99: 0, latencySamples: 0 });

function mergeArm(a: ArmTally, b: ArmTally, bNewer: boolean, tie: boolean): ArmTally {
  const out = { ...a };
  for (const k of COUNTERS) out[k] = Math.max(a[k], b[k]);
  // Equal seq is the same report seen twice; the max keeps the merge commutative all the same.
  const latest = tie ? b.p99 > a.p99 || (b.p99 === a.p99 && b.latencySamples > a.latencySamples) : bNewer;
  if (latest) {
    out.p99 = b.p99;
    out.latencySamples = b.latencySamples;
  }
  return out;
}

/** Two reports of the same replica, candidate and phase, merged (commutative, associative, idempotent). */
export function mergeReports(a: RolloutReport, b: RolloutReport): RolloutReport {
  const bNewer = b.seq > a.seq;
  const tie = b.seq === a.seq;
  return {
    ...a,
    seq: Math.max(a.seq, b.seq),
    production: mergeArm(a.production, b.production, bNewer, tie),
    candidate_arm: mergeArm(a.candidate_arm, b.candidate_arm, bNewer, tie),
    shadow: {
      decisions: Math.max(a.shadow.decisions, b.shadow.decisions),
      overlapSum: Math.max(a.shadow.overlapSum, b.shadow.overlapSum),
      overlapN: Math.max(a.shadow.overlapN, b.shadow.overlapN),
    },
  };
}

/** Every replica's latest report for one candidate, by phase. */
export class RolloutTallies {
  private readonly reports = new Map<string, RolloutReport>();

  constructor(readonly candidate: string) {}

  /** Takes a report in (its own or another node's); one about another candidate is ignored. */
  merge(report: RolloutReport): void {
    if (report.candidate !== this.candidate) return;
    const key = `${report.phase}\u0000${report.replica}`;
    const had = this.reports.get(key);
    this.reports.set(key, had ? mergeReports(had, report) : report);
  }

  /** The sums over replicas of the reports of `phase`. */
  combined(phase: RolloutPhase): CombinedTally {
    const out: CombinedTally = {
      replicas: 0,
      production: totalsOf(),
      candidate: totalsOf(),
      latency: [],
      shadow: { decisions: 0, overlapSum: 0, overlapN: 0 },
    };
    // In replica order: the same reports give the same sums (floating point too) whatever order they came in.
    const keys = [...this.reports.keys()].sort();
    for (const key of keys) {
      const r = this.reports.get(key)!;
      if (r.phase !== phase) continue;
      out.replicas++;
      for (const k of COUNTERS) {
        out.production[k] += r.production[k];
        out.candidate[k] += r.candidate_arm[k];
      }
      out.latency.push({
        replica: r.replica,
        production: { p99: r.production.p99, samples: r.production.latencySamples },
        candidate: { p99: r.candidate_arm.p99, samples: r.candidate_arm.latencySamples },
      });
      out.shadow.decisions += r.shadow.decisions;
      out.shadow.overlapSum += r.shadow.overlapSum;
      out.shadow.overlapN += r.shadow.overlapN;
    }
    return out;
  }
}

const isNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0;

function isArm(x: unknown): x is ArmTally {
  if (typeof x !== 'object' || x === null) return false;
  const a = x as Record<string, unknown>;
  return [...COUNTERS, 'p99', 'latencySamples'].every((k) => isNumber(a[k]));
}

/** A report as another node sent it, checked field by field; undefined for anything else. */
export function parseReport(x: unknown): RolloutReport | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  const r = x as Record<string, unknown>;
  const s = r.shadow as Record<string, unknown> | undefined;
  const ok =
    typeof r.replica === 'string' &&
    typeof r.candidate === 'string' &&
    (r.phase === 'shadow' || r.phase === 'canary') &&
    isNumber(r.seq) &&
    isArm(r.production) &&
    isArm(r.candidate_arm) &&
    typeof s === 'object' &&
    s !== null &&
    isNumber(s.decisions) &&
    isNumber(s.overlapSum) &&
    isNumber(s.overlapN);
  return ok ? (r as unknown as RolloutReport) : undefined;
}
