/**
 * Tessera's runtime-agnostic core: `createEngine` plus the pure pieces it is
 * made of (context, identity, profile CRDT, segments, experiments,
 * recommendations, assembly, cache keys). Web-standard APIs only.
 * @module
 */
export * from './assemble/index.js';
export * from './cache/index.js';
export * from './config.js';
export { buildContext, parseCookies, type RequestLike } from './context.js';
export { type CompiledSite, compileSite, type DecideInput, decide } from './decide.js';
export { createEngine, type Engine, type EngineConfig, type EnginePorts } from './engine.js';
export { isTesseraError, TesseraError } from './errors.js';
export {
  type BatchLimits,
  DEFAULT_BATCH_LIMITS,
  type ParsedBatch,
  parseBatch,
  validateEvent,
} from './events.js';
export * from './experiments/index.js';
export type { Origin, OriginPage, StaticAsset } from './http/engine-state.js';
export type { RequestDecision } from './http/page.js';
export { type Reply, toResponse } from './http/reply.js';
export * from './identity/index.js';
export { createLossAccounting, type EventCounts, type LossAccounting } from './loss-accounting.js';
export * from './ports.js';
export * from './profile/index.js';
export {
  type Artifact,
  contentVersion,
  FORMAT_VERSION,
  type ModelData,
  type RecommendInput,
  readArtifact,
  recommend,
  writeArtifact,
} from './recommend/index.js';
export * from './segments/index.js';
export * from './types.js';
