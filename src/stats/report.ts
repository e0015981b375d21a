/**
 * One experiment's statistics from its per-arm counters: rates with Wilson
 * intervals, the lift of every arm over control with its intervals, the
 * always-valid sequential p-value, the Bayesian probability to beat control,
 * and the sample-ratio check. The dashboard, the CLI and the simulator all
 * print this one shape.
 * @module
 */
import { posterior, probBeats } from './bayes.js';
import { msprtLambda } from './msprt.js';
import { type Interval, newcombeDiff, relativeLift, twoProportionZ, wilson } from './proportions.js';
import { type SrmResult, srmCheck } from './srm.js';

export interface ArmTotals {
  arm: string;
  /** Configured weight (for SRM). */
  weight: number;
  /** Unique visitors exposed. */
  visitors: number;
  /** Unique visitors with at least one purchase. */
  converted: number;
  /** Unique visitors who clicked a recommended item. */
  clicked: number;
  /** Unique visitors who added to cart. */
  carted: number;
  revenue: number;
}

export interface ArmReport extends ArmTotals {
  conversion: number;
  conversionCi: Interval;
  ctr: number;
  revenuePerVisitor: number;
}

export interface Comparison {
  arm: string;
  control: string;
  lift: number;
  liftCi: Interval;
  diff: number;
  diffCi: Interval;
  /** Fixed-horizon two-sided p-value (for reference; not valid under peeking). */
  pFixed: number;
  /** Always-valid p-value: the caller's running minimum when given, else this look's. */
  pSequential: number;
  significant: boolean;
  probBeatControl: number;
}

export interface ExperimentReport {
  confidence: number;
  arms: ArmReport[];
  comparisons: Comparison[];
  srm: SrmResult;
}

export interface ReportOptions {
  confidence?: number;
  /** Running-minimum sequential p-values per arm, when the caller keeps them. */
  sequentialP?: Record<string, number>;
  tau?: number;
}

export function experimentReport(totals: readonly ArmTotals[], o: ReportOptions = {}): ExperimentReport {
  const confidence = o.confidence ?? 0.99;
  const arms: ArmReport[] = totals.map((t) => ({
    ...t,
    conversion: t.visitors ? t.converted / t.visitors : 0,
    conversionCi: wilson(t.converted, t.visitors, confidence),
    ctr: t.visitors ? t.clicked / t.visitors : 0,
    revenuePerVisitor: t.visitors ? t.revenue / t.visitors : 0,
  }));
  const control = arms[0];
  const comparisons: Comparison[] = [];
  if (control) {
    for (const t of arms.slice(1)) {
      const { lift, ci } = relativeLift(
        t.converted,
        t.visitors,
        control.converted,
        control.visitors,
        confidence,
      );
      const lambda = msprtLambda(
        { n: control.visitors, x: control.converted },
        { n: t.visitors, x: t.converted },
        o.tau !== undefined ? { tau: o.tau } : {},
      );
      const pSequential = Math.min(o.sequentialP?.[t.arm] ?? 1, 1 / lambda);
      comparisons.push({
        arm: t.arm,
        control: control.arm,
        lift,
        liftCi: ci,
        diff: t.conversion - control.conversion,
        diffCi: newcombeDiff(t.converted, t.visitors, control.converted, control.visitors, confidence),
        pFixed: twoProportionZ(t.converted, t.visitors, control.converted, control.visitors).p,
        pSequential,
        significant: pSequential < 1 - confidence,
        probBeatControl: probBeats(
          posterior(control.converted, control.visitors),
          posterior(t.converted, t.visitors),
        ),
      });
    }
  }
  const srm = srmCheck(
    arms.map((a) => a.visitors),
    arms.map((a) => a.weight),
  );
  return { confidence, arms, comparisons, srm };
}
