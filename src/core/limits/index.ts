/**
 * Hostile-input limits: token buckets (memory here, Redis in src/stores),
 * URL/cookie size checks, the client IP, and the `/collect` guard using them.
 * @module
 */
export { clientIpOf, type RequestWithClientIp } from './client-ip.js';
export {
  type CollectGuard,
  createCollectGuard,
  DEFAULT_LIMIT_SETTINGS,
  type LimitSettings,
} from './collect-guard.js';
export { DailyEventQuota } from './event-quota.js';
export { checkCookieLength, checkUrlLength, DEFAULT_SIZE_LIMITS, type SizeLimits } from './request-size.js';
export {
  type BucketRule,
  type BucketState,
  chargeTokens,
  createMemoryRateLimiter,
  type RateLimiter,
  type TakeResult,
  takeToken,
} from './token-bucket.js';
