/**
 * The visitor profile: a bounded, mergeable record (a state-based CRDT) of
 * forward-decayed affinities and counts, recent items, declared traits,
 * consent, exposures and suppressions.
 * @module
 */
export { compareHlc, HlcClock } from '../hlc.js';
export {
  type ApplyBatchOptions,
  type ApplyOptions,
  applyEvent,
  applyEvents,
  EVENT_WEIGHTS,
  type ItemAttributes,
} from './apply.js';
export { decodeProfile, encodeProfile } from './codec.js';
export { NOT_INTERESTED_MS, THUMBS_DOWN_MS, THUMBS_UP_WEIGHT } from './declared.js';
export { DIGEST_LAST, DIGEST_TOP, makeDigest, profileFromDigest } from './digest.js';
export { emptyProfile, eraseProfile, isErased } from './empty.js';
export { recordExposure } from './exposure.js';
export { PROFILE_LIMITS, PROFILE_MAX_BYTES, TEXT_LIMITS } from './limits.js';
export { mergeProfiles } from './merge.js';
export { type ProfileCodec, plainProfileCodec } from './profile-codec.js';
export {
  affinity,
  consentOf,
  eventCount,
  exposureCount,
  isSuppressed,
  lastEventAt,
  recentItems,
  strongestAffinity,
  topAffinities,
  traitOf,
} from './read.js';
