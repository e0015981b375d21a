/**
 * The admin surface: the dashboard page and its JSON API, as an engine route.
 * @module
 */
export { handleAdminApi } from './api.js';
export { ADMIN_COOKIE, authorizeAdmin } from './auth.js';
export { dashboardHtml } from './dashboard.js';
export { type AdminOptions, adminRoute } from './route.js';
