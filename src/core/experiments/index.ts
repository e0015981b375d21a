/**
 * Experiments: deterministic hash bucketing, targeting and traffic share.
 * @module
 */
export type { CompiledExperiment } from './bucket.js';
export { armBounds, assignArm, compileExperiment, fnv1a32, hashUnit, trafficSeed } from './bucket.js';
