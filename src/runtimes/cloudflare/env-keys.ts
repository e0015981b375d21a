/**
 * The key ring from environment variables moved to `runtimes/fetch/env-keys.ts`
 * (every runtime with an environment reads the same names); this path keeps
 * existing imports working.
 * @module
 */
export { atRestCodecFromEnv, type KeyEnv, keyRingFromEnv } from '../fetch/env-keys.js';
