/**
 * Datasets for the offline trainer and `tessera eval`: readers for ratings,
 * session-rec TSV, OTTO JSONL and Tessera's event log; generators with known
 * structure; writers back to text.
 * @module
 */

export { createRng, type Rng } from '../rng.js';
export { interactionsToSessions, sessionsToInteractions } from './convert.js';
export { type DatasetFormat, detectFormat } from './detect.js';
export { DatasetError } from './errors.js';
export { type EventLogOptions, type EventLogResult, readEventLog } from './event-log.js';
export {
  align,
  createIdSpace,
  fromTriples,
  type IdSpace,
  IdTable,
  InteractionsBuilder,
  type MergePolicy,
  nnz,
  widen,
} from './id-space.js';
export { OTTO_TYPE_WEIGHTS, type OttoOptions, type OttoResult, readOtto } from './otto.js';
export { type RatingsOptions, type RatingsResult, readRatings } from './ratings.js';
export { SessionBuilder, widenSessions } from './session-builder.js';
export { readSessions, type SessionsOptions } from './sessions.js';
export {
  type ClusteredOptions,
  clusteredInteractions,
  type SequentialOptions,
  type SyntheticRatings,
  type SyntheticRatingsOptions,
  type SyntheticSessions,
  type SyntheticSessionsOptions,
  sequentialSessions,
  syntheticRatings,
  syntheticSessions,
} from './synthetic.js';
export { writeRatingsTsv, writeSessionsTsv } from './write.js';
