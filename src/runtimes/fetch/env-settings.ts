/**
 * The engine's settings from the same `TESSERA_*` variables on every runtime
 * with an environment (Worker vars, Deno's and Bun's env, Vercel's): the key
 * ring, consent mode, secure cookies, other allowed origins. Each runtime's
 * wiring reads its environment its own way and hands the record here.
 * @module
 */
import type { ConsentMode } from '../../core/config.js';
import type { EngineConfig } from '../../core/engine.js';
import { type KeyEnv, keyRingFromEnv } from './env-keys.js';

export interface SettingsEnv extends KeyEnv {
  TESSERA_CONSENT_MODE?: string;
  /** Anything but `false` puts `Secure` on every cookie (edges serve HTTPS). */
  TESSERA_SECURE_COOKIES?: string;
  TESSERA_NODE_ID?: string;
  /** Other origins whose pages may post to `/collect` (comma-separated). */
  TESSERA_ALLOWED_ORIGINS?: string;
}

/**
 * `node`: this process's or isolate's own node id (a profile's per-node
 * counters need one sequential writer each: see `nodeIdFromEnv`).
 */
export function settingsFromEnv(
  env: SettingsEnv,
  node: string,
  where = 'env',
): Pick<EngineConfig, 'settings' | 'limits'> {
  const ring = keyRingFromEnv(env);
  if (!ring) throw new Error(`[tessera] [${where}] the TESSERA_SECRET secret (or TESSERA_KEYS) is not set`);
  return {
    settings: {
      secret: ring,
      nodeId: node,
      consentMode: (env.TESSERA_CONSENT_MODE ?? 'opt-in') as ConsentMode,
      secureCookies: env.TESSERA_SECURE_COOKIES !== 'false',
    },
    ...(env.TESSERA_ALLOWED_ORIGINS
      ? { limits: { allowedOrigins: env.TESSERA_ALLOWED_ORIGINS.split(',').map((o) => o.trim()) } }
      : {}),
  };
}

/** `TESSERA_NODE_ID` (or `fallback`) with a random suffix: isolates and processes run side by side. */
export function nodeIdFromEnv(env: SettingsEnv, fallback: string): string {
  const b = crypto.getRandomValues(new Uint8Array(4));
  const suffix = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${env.TESSERA_NODE_ID ?? fallback}-${suffix}`;
}
