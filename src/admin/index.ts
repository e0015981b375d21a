/**
 * The admin surface: the dashboard page and its JSON API (experiments,
 * statistics, visitors' data), as an engine route behind scoped tokens,
 * every call audited.
 * @module
 */
export { handleAdminApi } from './api.js';
export { type AuditEntry, type AuditSink, lineAuditSink, memoryAuditSink } from './audit.js';
export { AUDIT_FILE, fileAuditSink } from './audit-file.js';
export { ADMIN_COOKIE, type AdminAuth, authorizeAdmin, scopeFor } from './auth.js';
export { type ChartLibrary, dashboardHtml } from './dashboard.js';
export { KV_SESSION_PREFIX, KV_TOKEN_PREFIX, kvSessionBook, kvTokenBook, kvTokenEntry } from './kv.js';
export { handleLiveApi, type ModelRegistryView } from './live-api.js';
export { createLiveSeries, type LiveJson, type LiveSeries, teeObserver } from './live-series.js';
export { handleProfilesApi } from './profiles-api.js';
export { type AdminOptions, adminRoute } from './route.js';
export { fileTokenBook, readTokenFile, TOKEN_FILE, tokenFilePath, writeTokenFile } from './token-file.js';
export {
  authenticate,
  ENV_TOKEN_NAME,
  hashToken,
  mintToken,
  type Principal,
  parseScopes,
  SCOPES,
  type Scope,
  type TokenBook,
  type TokenRecord,
} from './tokens.js';
