/**
 * The Node runtime's key ring from its settings: `TESSERA_KEYS="k1:s1,k2:s2"`
 * with `TESSERA_KEY_CURRENT=k2` (or `--keys` / `--key-current`, or the config
 * file's `keys` / `keyCurrent`), else the single secret as key `k1`. The same
 * ring seals cookies and encrypts profiles at rest; rotating means adding a
 * key and making it current (old keys still decrypt), then
 * `tessera admin reencrypt`, then dropping the old key.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TesseraError } from '../../core/errors.js';
import type { KeyRingInput } from '../../core/identity/keys.js';

function keyError(message: string): TesseraError {
  return new TesseraError(400, `[tessera] [config] ${message}`);
}

/** `k1:secret1,k2:secret2` → { k1: secret1, k2: secret2 }; secrets may hold `:` but not `,`. */
export function parseKeyList(text: string): Record<string, string> {
  const secrets: Record<string, string> = {};
  for (const part of text.split(',')) {
    const at = part.indexOf(':');
    const kid = part.slice(0, Math.max(0, at)).trim();
    const secret = part.slice(at + 1).trim();
    if (at <= 0 || !/^[A-Za-z0-9]{1,8}$/.test(kid))
      throw keyError(`keys: "${part.slice(0, 12)}..." is not KID:SECRET (KID: 1-8 letters or digits)`);
    if (secret.length < 32) throw keyError(`keys: the secret of "${kid}" must be at least 32 characters`);
    if (secrets[kid] !== undefined) throw keyError(`keys: "${kid}" is given twice`);
    secrets[kid] = secret;
  }
  return secrets;
}

/**
 * The ring from a key list and its current id; without a list, `fallback()`
 * (the single secret) becomes key `k1`. Without a current id, the last key listed is current.
 */
export function keyRingFrom(
  keys: string | undefined,
  current: string | undefined,
  fallback: () => string,
): KeyRingInput {
  if (keys === undefined || keys.trim() === '') {
    if (current !== undefined && current !== 'k1')
      throw keyError(`key-current "${current}" needs keys (KID:SECRET,...) that include it`);
    return { secrets: { k1: fallback() }, current: 'k1' };
  }
  const secrets = parseKeyList(keys);
  const kids = Object.keys(secrets);
  const cur = current ?? kids[kids.length - 1]!;
  if (secrets[cur] === undefined)
    throw keyError(`key-current "${cur}" is not one of the keys (${kids.join(', ')})`);
  return { secrets, current: cur };
}

/**
 * The single secret: given, else TESSERA_SECRET, else `<dataDir>/secret`;
 * when there is none, a new one is written there (unless `create` is false).
 */
export function secretFor(dataDir: string, given: string | undefined, create = true): string {
  if (given) return given;
  if (process.env.TESSERA_SECRET) return process.env.TESSERA_SECRET;
  const file = join(dataDir, 'secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  if (!create) throw keyError(`no secret: give --keys, TESSERA_KEYS, TESSERA_SECRET or ${file}`);
  const s = randomBytes(32).toString('base64url');
  writeFileSync(file, s, { mode: 0o600 });
  return s;
}

/** The Node key ring: options, else TESSERA_KEYS / TESSERA_KEY_CURRENT, else the single secret as k1. */
export function nodeKeyRing(
  o: { keys?: string | undefined; keyCurrent?: string | undefined; secret?: string | undefined },
  dataDir: string,
  createSecret = true,
): KeyRingInput {
  return keyRingFrom(
    o.keys ?? process.env.TESSERA_KEYS,
    o.keyCurrent ?? process.env.TESSERA_KEY_CURRENT,
    () => secretFor(dataDir, o.secret, createSecret),
  );
}
