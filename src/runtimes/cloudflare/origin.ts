/**
 * Origin mode moved to `runtimes/fetch/origin.ts` (nothing in it is
 * Cloudflare's); this path keeps existing imports working.
 * @module
 */
export { type FetchOriginOptions, fetchOrigin } from '../fetch/origin.js';
