/**
 * The key ring and at-rest codec from the environment (a Worker's secret
 * bindings, Deno's or Bun's env, Vercel's):
 * `TESSERA_KEYS="k1:s1,k2:s2"` with `TESSERA_KEY_CURRENT=k2` (default: the
 * last listed), else `TESSERA_SECRET` as key `k1` — the same ring the Node
 * runtime builds from the same settings, so both read each other's blobs.
 * The same ring seals cookies and encrypts profiles at rest (on unless
 * `TESSERA_ENCRYPT_AT_REST=false`).
 *
 * The key-list syntax repeats `runtimes/node/key-ring-config.ts`, which
 * cannot be bundled for workerd (it imports node:fs).
 * @module
 */
import { TesseraError } from '../../core/errors.js';
import type { KeyRingInput } from '../../core/identity/keys.js';
import type { AsyncProfileCodec } from '../../profiles/async-profile-codec.js';
import { createWebCryptoProfileCodec } from '../../profiles/webcrypto-profile-codec.js';

export interface KeyEnv {
  TESSERA_SECRET?: string;
  TESSERA_KEYS?: string;
  TESSERA_KEY_CURRENT?: string;
  TESSERA_ENCRYPT_AT_REST?: string;
}

function keyError(message: string): TesseraError {
  return new TesseraError(500, `[tessera] [env] ${message}`);
}

function parseKeys(text: string): Record<string, string> {
  const secrets: Record<string, string> = {};
  for (const part of text.split(',')) {
    const at = part.indexOf(':');
    const kid = part.slice(0, Math.max(0, at)).trim();
    const secret = part.slice(at + 1).trim();
    if (at <= 0 || !/^[A-Za-z0-9]{1,8}$/.test(kid))
      throw keyError(
        `TESSERA_KEYS: "${part.slice(0, 12)}..." is not KID:SECRET (KID: 1-8 letters or digits)`,
      );
    if (secret.length < 32)
      throw keyError(`TESSERA_KEYS: the secret of "${kid}" must be at least 32 characters`);
    if (secrets[kid] !== undefined) throw keyError(`TESSERA_KEYS: "${kid}" is given twice`);
    secrets[kid] = secret;
  }
  return secrets;
}

/** The ring, or undefined when neither TESSERA_KEYS nor TESSERA_SECRET is set. */
export function keyRingFromEnv(env: KeyEnv): KeyRingInput | undefined {
  const keys = env.TESSERA_KEYS?.trim();
  if (!keys) {
    if (!env.TESSERA_SECRET) return undefined;
    if (env.TESSERA_KEY_CURRENT !== undefined && env.TESSERA_KEY_CURRENT !== 'k1')
      throw keyError(`TESSERA_KEY_CURRENT "${env.TESSERA_KEY_CURRENT}" needs TESSERA_KEYS that include it`);
    return { secrets: { k1: env.TESSERA_SECRET }, current: 'k1' };
  }
  const secrets = parseKeys(keys);
  const kids = Object.keys(secrets);
  const current = env.TESSERA_KEY_CURRENT ?? kids[kids.length - 1]!;
  if (secrets[current] === undefined)
    throw keyError(`TESSERA_KEY_CURRENT "${current}" is not one of TESSERA_KEYS (${kids.join(', ')})`);
  return { secrets, current };
}

/** The encrypting codec for profiles at rest, or undefined when it is turned off or there is no key. */
export function atRestCodecFromEnv(env: KeyEnv): AsyncProfileCodec | undefined {
  if (env.TESSERA_ENCRYPT_AT_REST === 'false') return undefined;
  const ring = keyRingFromEnv(env);
  return ring ? createWebCryptoProfileCodec(ring) : undefined;
}
