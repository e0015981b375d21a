/**
 * Keys derived from the site secret with HKDF (WebCrypto): one HMAC key for
 * signed identifiers, one AES-GCM key per key id for sealed cookies. A key
 * ring holds several secrets so a rotation keeps old cookies readable.
 * @module
 */
import { TesseraError } from '../errors.js';

const enc = new TextEncoder();

export interface KeyRingInput {
  /** Key id → secret (≥ 32 characters). */
  secrets: Record<string, string>;
  /** The key id new ciphertexts use. */
  current: string;
  /**
   * The key id whose secret keys user-id pseudonyms (default: the first in
   * `secrets`). Pseudonyms must not change on rotation, so keep this one.
   */
  pseudonym?: string;
}

export interface KeyRing {
  current: string;
  hmac(kid?: string): Promise<CryptoKey>;
  aes(kid: string): Promise<CryptoKey> | undefined;
  /** HMAC key for pseudonymous user ids (stable across rotations). */
  pseudonym(): Promise<CryptoKey>;
}

async function derive(secret: string, info: string, usage: 'hmac' | 'aes'): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', enc.encode(secret), 'HKDF', false, ['deriveKey']);
  const params = { name: 'HKDF', hash: 'SHA-256', salt: enc.encode('tessera/v1'), info: enc.encode(info) };
  return usage === 'hmac'
    ? crypto.subtle.deriveKey(params, base, { name: 'HMAC', hash: 'SHA-256', length: 256 }, false, ['sign'])
    : crypto.subtle.deriveKey(params, base, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

export function createKeyRing(input: KeyRingInput | string): KeyRing {
  const ring: KeyRingInput = typeof input === 'string' ? { secrets: { k1: input }, current: 'k1' } : input;
  for (const [kid, secret] of Object.entries(ring.secrets)) {
    if (!/^[A-Za-z0-9]{1,8}$/.test(kid))
      throw new TesseraError(500, `[tessera] [keys] key id "${kid}" must be 1-8 letters or digits`);
    if (secret.length < 32)
      throw new TesseraError(500, `[tessera] [keys] secret "${kid}" must be at least 32 characters`);
  }
  if (!ring.secrets[ring.current])
    throw new TesseraError(500, `[tessera] [keys] current key "${ring.current}" is not in the ring`);
  const pseudonymKid = ring.pseudonym ?? Object.keys(ring.secrets)[0] ?? ring.current;
  if (!ring.secrets[pseudonymKid])
    throw new TesseraError(500, `[tessera] [keys] pseudonym key "${pseudonymKid}" is not in the ring`);
  let pseudonymKey: Promise<CryptoKey> | undefined;
  const hmacKeys = new Map<string, Promise<CryptoKey>>();
  const aesKeys = new Map<string, Promise<CryptoKey>>();
  return {
    current: ring.current,
    hmac(kid = ring.current) {
      let k = hmacKeys.get(kid);
      if (!k) {
        const secret = ring.secrets[kid];
        if (!secret) return Promise.reject(new TesseraError(500, `[tessera] [keys] unknown key "${kid}"`));
        k = derive(secret, 'id-signature', 'hmac');
        hmacKeys.set(kid, k);
      }
      return k;
    },
    pseudonym() {
      pseudonymKey ??= derive(ring.secrets[pseudonymKid]!, 'user-pseudonym', 'hmac');
      return pseudonymKey;
    },
    aes(kid) {
      let k = aesKeys.get(kid);
      if (!k) {
        const secret = ring.secrets[kid];
        if (!secret) return undefined;
        k = derive(secret, 'sealed-cookie', 'aes');
        aesKeys.set(kid, k);
      }
      return k;
    },
  };
}
