/**
 * Offline evaluation: splits, metrics, the top-k and next-item protocols,
 * and the model comparison behind `tessera eval`.
 * @module
 */
export { type BeyondAccuracy, BeyondAccuracyAccumulator, ItemUsers } from './beyond-accuracy.js';
export {
  type Algorithms,
  type CompareOptions,
  compareNextItem,
  compareTopK,
  formatParams,
  type NextItemRow,
  type Params,
  type TopKRow,
  type Tuned,
} from './compare.js';
export { alignedInteractions, alignedSessions, type LoadedDataset, loadDataset } from './load.js';
export { NextItemAccumulator, type NextItemScores, TopKAccumulator, type TopKScores } from './metrics.js';
export {
  evaluateNextItem,
  evaluateTopK,
  forEachNextItem,
  itemsInTraining,
  type NextItemCounts,
  type NextItemEvaluation,
  type TopKEvalOptions,
  type TopKEvaluation,
} from './protocols.js';
export { topKIndices } from './rank.js';
export { nextItemTable, protocolLine, table, topKTable } from './report.js';
export { type EvalOptions, type EvalReport, type Protocol, type ProtocolReport, runEval } from './run.js';
export {
  roundHalfEven,
  type SessionTimeOptions,
  type Split,
  type StratifiedOptions,
  sessionTimeSplit,
  sessionValidationSplit,
  stratifiedSplit,
  validationSplit,
} from './split.js';
