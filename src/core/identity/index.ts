/**
 * Identity and consent: signed anonymous ids, sealed cookies, consent state.
 * @module
 */
export * from './base64url.js';
export * from './consent.js';
export * from './keys.js';
export * from './pseudonym.js';
export * from './sealed.js';
export * from './signed-id.js';
