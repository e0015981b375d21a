/**
 * Data-subject rights: access (export), erasure, the visitor's own
 * `/privacy/me`, and retention.
 * @module
 */
export type { ErasureResult } from '../profile-service.js';
export {
  eventsOf,
  exportVisitor,
  holdsAnything,
  type LinkedVisitors,
  linkedVisitors,
  type PrivacySources,
  type VisitorExport,
} from './export.js';
export { handlePrivacyMe, PRIVACY_PATH, privacyRoute } from './me.js';
export {
  DEFAULT_RETENTION_DAYS,
  retentionCutoff,
  type SweepResult,
  sweepRetention,
} from './retention.js';
