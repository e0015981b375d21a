/**
 * Experiment statistics: intervals for proportions and lifts, the mSPRT
 * always-valid sequential test, the minimum detectable lift, the
 * sample-ratio-mismatch check, Bayesian probability to beat control, and a
 * seeded random source.
 * @module
 */
export { type BetaPosterior, posterior, probBeats, probBeatsExact, probBestMonteCarlo } from './bayes.js';
export { DecisionMonitor, type LatencySummary, percentile, summarize } from './monitor.js';
export { type ArmCounts, DEFAULT_TAU, type MsprtOptions, msprtLambda, SequentialTest } from './msprt.js';
export { DEFAULT_POWER, type MdeInput, minimumDetectableLift } from './power.js';
export { type Interval, newcombeDiff, relativeLift, twoProportionZ, wilson, zFor } from './proportions.js';
export { type Random, seededRandom } from './random.js';
export {
  type ArmReport,
  type ArmTotals,
  type Comparison,
  type ExperimentReport,
  experimentReport,
  type ReportOptions,
} from './report.js';
export { chiSquareSf, lnBeta, lnGamma, normalCdf, normalQuantile } from './special.js';
export { SRM_THRESHOLD, type SrmResult, srmCheck } from './srm.js';
