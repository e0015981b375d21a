/**
 * Experiments: deterministic hash bucketing, targeting and traffic share;
 * sticky arms, holdouts and promotion; exposures and the conversion ledger;
 * bandits with mergeable posteriors.
 * @module
 */
export {
  ARM_TRAIT_PREFIX,
  type ArmEffects,
  type AssignInput,
  armTrait,
  assignArms,
  type BanditChooser,
  type Exposure,
  HOLDOUT_ARM,
  stickyArm,
} from './assign.js';
export {
  ANY_SEGMENT,
  type ArmCounter,
  type ArmTally,
  BanditCounters,
  type BanditState,
  banditLeader,
  DEFAULT_EXPLORE,
  type GCounter,
  mergeBandits,
  thompsonPick,
} from './bandit.js';
export type { CompiledExperiment } from './bucket.js';
export {
  armBounds,
  assignArm,
  compiledFor,
  compileExperiment,
  fnv1a32,
  hashUnit,
  holdoutSeed,
  trafficSeed,
} from './bucket.js';
export { exposureEvent, exposureEventId } from './exposure.js';
export { type ConversionHit, ExperimentLedger, type LedgerEvent } from './ledger.js';
export {
  type CounterAddress,
  counterKey,
  decodeLedger,
  emptyLedger,
  encodeLedger,
  LEDGER_COUNTERS,
  type LedgerCounter,
  type LedgerState,
  mergeLedgers,
  type StatusRegister,
  type StatusValue,
} from './ledger-state.js';
export { type CountedHit, EXPOSURE_MARK, type LedgerHit, type LedgerStore } from './ledger-store.js';
export { createMemoryLedgerStore } from './memory-ledger-store.js';
export {
  ExperimentRuntime,
  type ExperimentRuntimeOptions,
  type ExperimentSettings,
  type ExperimentView,
} from './runtime.js';
