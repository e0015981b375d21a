/**
 * Data-subject rights: access (export), erasure, the visitor's own
 * `/privacy/me`, and retention.
 * @module
 */
export { type ErasureResult, eraseVisitor } from './erase.js';
export {
  eventsOf,
  exportVisitor,
  holdsAnything,
  type LinkedVisitors,
  linkedVisitors,
  type VisitorExport,
} from './export.js';
export { handlePrivacyMe, PRIVACY_PATH, privacyRoute } from './me.js';
export {
  DEFAULT_RETENTION_DAYS,
  retentionCutoff,
  type SweepResult,
  sweepRetention,
} from './retention.js';
