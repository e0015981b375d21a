/**
 * Recommendations at the edge: the artifact reader and writer, and the online
 * ranker that turns an artifact plus a visitor's recent items into a slot.
 * @module
 */
export type { Artifact, ModelData } from './artifact-format.js';
export { FORMAT_VERSION, SECTION } from './artifact-format.js';
export { readArtifact } from './artifact-read.js';
export { writeArtifact } from './artifact-write.js';
export { contentVersion } from './content-hash.js';
export { DEFAULT_MAX_BRAND_SHARE } from './picker.js';
export { type RecommendInput, recommend } from './rank.js';
export { EVENT_WEIGHTS, POSITION_DECAY } from './sources.js';
