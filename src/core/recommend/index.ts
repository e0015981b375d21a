/**
 * Recommendations at the edge: the artifact reader and writer, and the online
 * ranker that turns an artifact plus a visitor's recent items into a slot.
 * @module
 */
export type {
  Artifact,
  ArtifactEncoding,
  DenseNeighbours,
  ModelData,
  NeighbourLists,
  NeighbourRows,
} from './artifact-format.js';
export { FORMAT_VERSION, READABLE_VERSIONS, SECTION } from './artifact-format.js';
export { artifactVersion, readArtifact } from './artifact-read.js';
export { writeArtifact } from './artifact-write.js';
export { contentVersion } from './content-hash.js';
export {
  type ContextKey,
  contextKeys,
  type HourBucket,
  hourBucket,
  type ListContext,
} from './context-lists.js';
export { DEFAULT_DIVERSITY_LAMBDA, mmrReorder } from './diversity.js';
export { DEFAULT_EXPLORATION_SHARE, explorationSlots } from './exploration.js';
export { DEFAULT_FATIGUE_CAP } from './filters.js';
export { neighbourRow } from './neighbour-block.js';
export { DEFAULT_MAX_BRAND_SHARE } from './picker.js';
export { type RecommendInput, recommend } from './rank.js';
export { EVENT_WEIGHTS, POSITION_DECAY, SESSION_WINDOW_MS } from './sources.js';
