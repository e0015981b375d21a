/**
 * The offline trainer: catalog and event log in, recommendation artifact out.
 * By default it blends attribute similarity with session co-occurrence;
 * `algorithm` picks a tuned top-k model (EASE, item-kNN, ALS) instead. Both
 * write the same artifact, with sequential-rules successors and per-context
 * lists beside the neighbours.
 * @module
 */

export { type AlgorithmResult, algorithmNeighbours, interactionsFromEvents } from './algorithm-neighbours.js';
export { ATTRIBUTE_WEIGHTS, attributeNeighbours, type CatalogItemLike } from './attributes.js';
export { BLEND_PRIOR, blendNeighbours } from './blend.js';
export {
  type BuildModelOptions,
  type BuildModelStats,
  buildModel,
  DEFAULT_K,
  TRAIN_STEPS,
  TRAINER_NAME,
} from './build-model.js';
export { CONTEXT_LIST_LIMIT, contextLists, eventContextKeys } from './context-lists.js';
export { type CooccurrenceResult, cooccurrenceNeighbours, SHRINKAGE } from './cooccurrence.js';
export { POPULARITY_WEIGHTS, popularityScores, popularOrder } from './popularity.js';
export { DEFAULT_SESSION_K, sessionSuccessors } from './session-successors.js';
export { ITEM_EVENT_TYPES, sessionsFromEvents } from './sessions.js';
