/**
 * `tessera/browser`: the collector's types and pure helpers, for sites that
 * build their own integration or test against the protocol. The script that
 * sites include (`/tessera.js`) is built from `entry.ts`.
 * @module
 */
export {
  BATCH_MAX,
  chunk,
  flushDelay,
  IDLE_FLUSH_MS,
  isUrgent,
  QUEUE_MAX,
  URGENT_DELAY_MS,
} from './batching.js';
export {
  type Batch,
  type Collector,
  type CollectorDeps,
  createCollector,
  type FeedbackKind,
  type TesseraBrowserApi,
} from './collector.js';
export {
  type BrowserConsentState,
  type ConsentChoice,
  consentFromCookies,
  mayCollect,
  parseConsentCookie,
  readCookie,
  resolveConsent,
} from './consent.js';
export { buildEvent, isEventType, newEventId, pageProps, stripUrl } from './event.js';
export { type FieldFacts, fieldKind, formFieldProps, MAX_VALUE_LENGTH, searchProps } from './fields.js';
export {
  parseRetryAfter,
  RETRY_BASE_MS,
  RETRY_MAX_DOUBLINGS,
  retryDelay,
  type ServerAnswer,
} from './retry.js';
export { newBuckets, SCROLL_BUCKETS, scrollDepth } from './scroll.js';
