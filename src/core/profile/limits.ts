/**
 * Every bound of the profile in one place. The element counts and the string
 * byte caps below are chosen together so that a profile filled to every limit
 * with the longest strings still encodes within PROFILE_MAX_BYTES (the codec
 * test builds that worst case and measures it).
 * @module
 */

/** Hard cap on `encodeProfile(p).byteLength`. */
export const PROFILE_MAX_BYTES = 8192;

/** How many elements each part keeps (see truncate.ts for which ones). */
export const PROFILE_LIMITS: Readonly<{
  affinities: number;
  counts: number;
  recent: number;
  traits: number;
  exposures: number;
  suppressions: number;
  seen: number;
}> = Object.freeze({
  /** (key, node) components of affinities. */
  affinities: 24,
  /** (event type, node) components of counts. */
  counts: 14,
  recent: 10,
  traits: 8,
  /** (key, node) components of exposures. */
  exposures: 8,
  suppressions: 8,
  seen: 32,
});

/**
 * String caps, in bytes of the string's JSON form (UTF-8, escapes counted,
 * quotes not). Measuring the encoded form is what makes the byte cap hold for
 * hostile multi-byte input too.
 */
export const TEXT_LIMITS = Object.freeze({
  /** Node ids; longer ones become a prefix plus a hash (see text.ts). */
  node: 16,
  /** Item ids (recent items, `item:` keys). */
  item: 40,
  /** A category, brand or tag value (the part after `kind:`). */
  attribute: 40,
  /** A whole affinity or suppression key: `category:` plus an attribute. */
  key: 49,
  /** Exposure keys (`item:` plus an item id, or a placement name). */
  exposureKey: 45,
  /** Event type names used as count keys. */
  eventType: 16,
  traitKey: 32,
  traitValue: 40,
  userId: 48,
});

/** Tags read per item: a long tag list must not crowd out everything else. */
export const MAX_TAGS_PER_ITEM = 4;

/** Largest physical clock value kept (year 275760, the end of JS dates); HLC and event times are clamped to it. */
export const MAX_TIME_MS = 8.64e15;
/** Largest HLC logical counter kept. */
export const MAX_HLC_COUNTER = 0xffffffff;

/** Traits read from one identify event. */
export const MAX_TRAITS_PER_EVENT = 16;
