/**
 * Profiles encrypted at rest with WebCrypto AES-256-GCM, for the Workers
 * runtime. Byte for byte the format and keys of the Node codec
 * (`encrypted-codec.ts`), so a blob written by either runtime
 * reads in the other:
 *
 * `TSE1` (4 bytes) · kid length (1 byte) · kid · IV (12) · ciphertext · tag (16),
 * the kid's key HKDF-SHA256(secret, salt `tessera/v1`, info `profile-at-rest`).
 *
 * WebCrypto's AES-GCM output is ciphertext followed by the 16-byte tag, which
 * is exactly the tail of the format. Bytes without the magic are read as plain
 * profiles, so a namespace written before encryption keeps working and
 * migrates on its next write.
 * @module
 */
import { TesseraError } from '../core/errors.js';
import type { KeyRingInput } from '../core/identity/keys.js';
import { decodeProfile, encodeProfile } from '../core/profile/index.js';
import type { AsyncProfileCodec } from './async-profile-codec.js';

const MAGIC = [0x54, 0x53, 0x45, 0x31]; // "TSE1"
const IV_BYTES = 12;
const TAG_BYTES = 16;
const enc = new TextEncoder();

function cryptoError(message: string, cause?: unknown): TesseraError {
  return new TesseraError(500, `[tessera] [crypto] ${message}`, cause === undefined ? undefined : { cause });
}

function hasMagic(b: Uint8Array): boolean {
  return b.byteLength >= 4 && MAGIC.every((m, i) => b[i] === m);
}

/** The kid of an encrypted blob, or undefined for plain bytes. */
export function webBlobKeyId(b: Uint8Array): string | undefined {
  if (!hasMagic(b)) return undefined;
  const len = Math.min(b[4] ?? 0, b.byteLength - 5);
  return String.fromCharCode(...b.subarray(5, 5 + len));
}

async function deriveKey(secret: string): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', enc.encode(secret), 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: enc.encode('tessera/v1'), info: enc.encode('profile-at-rest') },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

export function createWebCryptoProfileCodec(ring: KeyRingInput): AsyncProfileCodec {
  if (!ring.secrets[ring.current]) throw cryptoError(`current key "${ring.current}" is not in the ring`);
  if (!/^[A-Za-z0-9]{1,8}$/.test(ring.current))
    throw cryptoError(`key id "${ring.current}" must be 1-8 letters or digits`);
  const keys = new Map<string, Promise<CryptoKey>>();
  const keyFor = (kid: string): Promise<CryptoKey> | undefined => {
    let k = keys.get(kid);
    if (!k) {
      const secret = ring.secrets[kid];
      if (secret === undefined) return undefined;
      k = deriveKey(secret);
      keys.set(kid, k);
    }
    return k;
  };
  const kidBytes = enc.encode(ring.current);

  return {
    async encode(p) {
      const plain = encodeProfile(p); // the size cap applies to the plain encoding
      const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
      const sealed = new Uint8Array(
        await crypto.subtle.encrypt(
          { name: 'AES-GCM', iv },
          await keyFor(ring.current)!,
          plain as BufferSource,
        ),
      );
      const out = new Uint8Array(5 + kidBytes.length + IV_BYTES + sealed.length);
      out.set(MAGIC, 0);
      out[4] = kidBytes.length;
      out.set(kidBytes, 5);
      out.set(iv, 5 + kidBytes.length);
      out.set(sealed, 5 + kidBytes.length + IV_BYTES);
      return out;
    },
    async decode(b) {
      if (!hasMagic(b)) return decodeProfile(b);
      const ivAt = 5 + (b[4] ?? 0);
      if (b.byteLength < ivAt + IV_BYTES + TAG_BYTES) throw cryptoError('encrypted profile is truncated');
      const kid = webBlobKeyId(b)!;
      const key = keyFor(kid);
      if (!key) throw cryptoError(`profile is encrypted with key "${kid}", which is not in the key ring`);
      let plain: ArrayBuffer;
      try {
        plain = await crypto.subtle.decrypt(
          { name: 'AES-GCM', iv: b.slice(ivAt, ivAt + IV_BYTES) },
          await key,
          b.slice(ivAt + IV_BYTES),
        );
      } catch (e) {
        throw cryptoError(
          `encrypted profile (key "${kid}") failed authentication: tampered or wrong secret`,
          e,
        );
      }
      return decodeProfile(new Uint8Array(plain));
    },
    stale(b) {
      return webBlobKeyId(b) !== ring.current;
    },
  };
}
