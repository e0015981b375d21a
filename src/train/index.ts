/**
 * The offline trainer: catalog and event log in, recommendation artifact out.
 * This first cut blends attribute similarity with session co-occurrence;
 * stronger algorithms (EASE, ALS, session kNN) plug in beside it and write
 * the same artifact format.
 * @module
 */
export { ATTRIBUTE_WEIGHTS, attributeNeighbours, type CatalogItemLike } from './attributes.js';
export { BLEND_PRIOR, blendNeighbours } from './blend.js';
export {
  type BuildModelOptions,
  type BuildModelStats,
  buildModel,
  DEFAULT_K,
  TRAINER_NAME,
} from './build-model.js';
export { type CooccurrenceResult, cooccurrenceNeighbours, SHRINKAGE } from './cooccurrence.js';
export { POPULARITY_WEIGHTS, popularityScores, popularOrder } from './popularity.js';
export { ITEM_EVENT_TYPES, sessionsFromEvents } from './sessions.js';
