/**
 * The generic Web-standard handler every fetch runtime wires (workerd, Deno,
 * Bun, Vercel Edge, Fastly, framework middleware): `createFetchHandler`,
 * origin mode, the key ring and settings from `TESSERA_*` variables. A
 * runtime folder adds only its environment, stores, HTMLRewriter and
 * `waitUntil`.
 * @module
 */
export { atRestCodecFromEnv, type KeyEnv, keyRingFromEnv } from './env-keys.js';
export { nodeIdFromEnv, type SettingsEnv, settingsFromEnv } from './env-settings.js';
export {
  createFetchHandler,
  type FetchHandler,
  type FetchHandlerOptions,
  nativeRewriter,
  type WaitUntilLike,
} from './handler.js';
export { type FetchOriginOptions, fetchOrigin } from './origin.js';
