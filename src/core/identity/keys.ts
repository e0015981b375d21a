/**
 * Keys derived from the site secret with HKDF-SHA256: one HMAC key for
 * signed identifiers, one for pseudonyms, one AES-GCM key per key id for
 * sealed cookies. A key ring holds several secrets so a rotation keeps old
 * cookies readable.
 *
 * The ring does its own cryptography (`mac`, `sealBytes`, `openBytes`) so a
 * runtime can hand it faster synchronous primitives (`KeyRingCrypto`, e.g.
 * node:crypto, several times cheaper per call than WebCrypto on Node). Both
 * paths derive the same key bytes (same salt and info), so a cookie sealed or
 * signed by one opens and verifies under the other.
 * @module
 */
import { TesseraError } from '../errors.js';
import { freshIv, IV_BYTES } from './iv-pool.js';

const enc = new TextEncoder();
const SALT = enc.encode('tessera/v1');
const KEY_BYTES = 32;
const TAG_BYTES = 16;

/**
 * Synchronous primitives a runtime may inject (src/runtimes/node/node-crypto.ts).
 * Must match WebCrypto exactly: HKDF-SHA256, HMAC-SHA256, AES-256-GCM with a
 * 16-byte tag appended to the ciphertext.
 */
export interface KeyRingCrypto {
  /** HKDF-SHA256 output of `length` bytes. */
  hkdf(secret: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array;
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array;
  /** Ciphertext ‖ 16-byte tag. */
  aesGcmSeal(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /** The plaintext, or undefined when the tag does not verify. */
  aesGcmOpen(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | undefined;
}

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

/** What a MAC is for: each purpose has its own derived key. */
export type MacPurpose = 'id-signature' | 'user-pseudonym';

export interface KeyRing {
  current: string;
  /** HMAC-SHA256 of `data` under the purpose's key (`id-signature`: the current key id's). */
  mac(purpose: MacPurpose, data: Uint8Array): Promise<Uint8Array>;
  /** AES-GCM under the current key: `iv ‖ ciphertext ‖ tag`. */
  sealBytes(plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array>;
  /**
   * Opens `iv ‖ ciphertext ‖ tag` sealed under key `kid`; undefined when the
   * kid is unknown, the bytes are short, or the tag does not verify.
   */
  openBytes(kid: string, bytes: Uint8Array, aad: Uint8Array): Promise<Uint8Array | undefined>;
  /** @deprecated WebCrypto keys, for callers that sign themselves; prefer `mac`. */
  hmac(kid?: string): Promise<CryptoKey>;
  /** @deprecated prefer `sealBytes` / `openBytes`. */
  aes(kid: string): Promise<CryptoKey> | undefined;
  /** @deprecated HMAC key for pseudonymous user ids (stable across rotations); prefer `mac('user-pseudonym', …)`. */
  pseudonym(): Promise<CryptoKey>;
}

const INFO = { hmac: 'id-signature', pseudonym: 'user-pseudonym', aes: 'sealed-cookie' } as const;

async function derive(secret: string, info: string, usage: 'hmac' | 'aes'): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', enc.encode(secret), 'HKDF', false, ['deriveKey']);
  const params = { name: 'HKDF', hash: 'SHA-256', salt: SALT, info: enc.encode(info) };
  return usage === 'hmac'
    ? crypto.subtle.deriveKey(params, base, { name: 'HMAC', hash: 'SHA-256', length: 256 }, false, ['sign'])
    : crypto.subtle.deriveKey(params, base, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

function checkedRing(input: KeyRingInput | string): KeyRingInput & { pseudonym: string } {
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
  return { ...ring, pseudonym: pseudonymKid };
}

function unknownKey(kid: string): TesseraError {
  return new TesseraError(500, `[tessera] [keys] unknown key "${kid}"`);
}

/** A memo of derived keys by `kid/info`, whatever their type. */
function keyCache<K>(secrets: Record<string, string>, make: (secret: string, info: string) => K) {
  const keys = new Map<string, K>();
  return (kid: string, info: string): K | undefined => {
    const name = `${kid}/${info}`;
    let k = keys.get(name);
    if (k === undefined) {
      const secret = secrets[kid];
      if (secret === undefined) return undefined;
      k = make(secret, info);
      keys.set(name, k);
    }
    return k;
  };
}

/**
 * @param fast synchronous primitives from the runtime; without them the ring
 * uses WebCrypto (every runtime has it).
 */
export function createKeyRing(input: KeyRingInput | string, fast?: KeyRingCrypto): KeyRing {
  const ring = checkedRing(input);
  const webKey = keyCache(ring.secrets, (secret, info) =>
    derive(secret, info, info === INFO.aes ? 'aes' : 'hmac'),
  );
  const macKid = (purpose: MacPurpose) => (purpose === 'user-pseudonym' ? ring.pseudonym : ring.current);
  const legacy = {
    current: ring.current,
    hmac(kid = ring.current) {
      return webKey(kid, INFO.hmac) ?? Promise.reject(unknownKey(kid));
    },
    pseudonym() {
      return webKey(ring.pseudonym, INFO.pseudonym)!;
    },
    aes(kid: string) {
      return webKey(kid, INFO.aes);
    },
  };
  if (fast) return { ...legacy, ...fastOperations(ring, fast, macKid) };
  return {
    ...legacy,
    async mac(purpose, data) {
      const key = await webKey(macKid(purpose), purpose)!;
      return new Uint8Array(await crypto.subtle.sign('HMAC', key, data as Uint8Array<ArrayBuffer>));
    },
    async sealBytes(plaintext, aad) {
      const iv = new Uint8Array(IV_BYTES);
      crypto.getRandomValues(iv);
      const key = await webKey(ring.current, INFO.aes)!;
      const ct = await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: aad as Uint8Array<ArrayBuffer> },
        key,
        plaintext as Uint8Array<ArrayBuffer>,
      );
      const out = new Uint8Array(IV_BYTES + ct.byteLength);
      out.set(iv);
      out.set(new Uint8Array(ct), IV_BYTES);
      return out;
    },
    async openBytes(kid, bytes, aad) {
      const key = webKey(kid, INFO.aes);
      if (!key || bytes.length < IV_BYTES + TAG_BYTES) return undefined;
      try {
        const pt = await crypto.subtle.decrypt(
          {
            name: 'AES-GCM',
            iv: bytes.subarray(0, IV_BYTES) as Uint8Array<ArrayBuffer>,
            additionalData: aad as Uint8Array<ArrayBuffer>,
          },
          await key,
          bytes.subarray(IV_BYTES) as Uint8Array<ArrayBuffer>,
        );
        return new Uint8Array(pt);
      } catch {
        return undefined;
      }
    },
  };
}

/** The ring's operations on the runtime's synchronous primitives, with raw key bytes derived once. */
function fastOperations(
  ring: KeyRingInput,
  fast: KeyRingCrypto,
  macKid: (purpose: MacPurpose) => string,
): Pick<KeyRing, 'mac' | 'sealBytes' | 'openBytes'> {
  const rawKey = keyCache(ring.secrets, (secret, info) =>
    fast.hkdf(enc.encode(secret), SALT, enc.encode(info), KEY_BYTES),
  );
  // The keys every call uses, looked up once (the cache builds a `kid/info` name per lookup).
  const macKeys: Partial<Record<MacPurpose, Uint8Array>> = {};
  let sealKey: Uint8Array | undefined;
  return {
    mac(purpose, data) {
      let key = macKeys[purpose];
      if (key === undefined) {
        key = rawKey(macKid(purpose), purpose)!;
        macKeys[purpose] = key;
      }
      return Promise.resolve(fast.hmacSha256(key, data));
    },
    sealBytes(plaintext, aad) {
      const iv = freshIv();
      sealKey ??= rawKey(ring.current, INFO.aes)!;
      const ct = fast.aesGcmSeal(sealKey, iv, aad, plaintext);
      const out = new Uint8Array(IV_BYTES + ct.byteLength);
      out.set(iv);
      out.set(ct, IV_BYTES);
      return Promise.resolve(out);
    },
    openBytes(kid, bytes, aad) {
      const key = rawKey(kid, INFO.aes);
      if (!key || bytes.length < IV_BYTES + TAG_BYTES) return Promise.resolve(undefined);
      return Promise.resolve(
        fast.aesGcmOpen(key, bytes.subarray(0, IV_BYTES), aad, bytes.subarray(IV_BYTES)),
      );
    },
  };
}
