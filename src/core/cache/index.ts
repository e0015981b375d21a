/**
 * Caching: variant keys that never name a visitor, the Cache-Control and
 * Vary headers that go with them, and the in-process LRU.
 * @module
 */

export {
  type ContextDependence,
  contextDependence,
  contextFieldsOfRules,
  listFieldsOf,
  tooVariedToShare,
  varyHeadersOf,
} from './context-dependence.js';
export { fnv1a64 } from './fnv.js';
export type { CacheHeaderInput, CacheHeaders } from './headers.js';
export { cacheHeaders, PRIVATE_CACHE_CONTROL, privateWhenSettingCookies } from './headers.js';
export type { LruOptions } from './lru.js';
export { LruCache } from './lru.js';
export type { VariantKeyInput } from './variant-key.js';
export { MAX_KEY_LENGTH, MAX_PATH_LENGTH, variantKey } from './variant-key.js';
