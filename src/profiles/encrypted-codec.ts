/**
 * Profiles encrypted at rest: AES-256-GCM with node:crypto (synchronous, so it
 * works inside SQLite's synchronous transactions), keys from the key ring.
 *
 * Format: `TSE1` (4 bytes) · kid length (1 byte) · kid · IV (12) · ciphertext · tag (16).
 * The kid's key is HKDF-SHA256(secret, salt `tessera/v1`, info `profile-at-rest`).
 * Bytes without the magic are read as plain profiles, so a store written before
 * encryption was turned on keeps working and migrates on its next write (or on
 * `tessera admin reencrypt`).
 * @module
 */
import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { TesseraError } from '../core/errors.js';
import { freshIv } from '../core/identity/iv-pool.js';
import type { KeyRingInput } from '../core/identity/keys.js';
import { checkEncodedSize, encodeProfileText } from '../core/profile/codec.js';
import { decodeProfile, type ProfileCodec } from '../core/profile/index.js';

const MAGIC = Buffer.from('TSE1', 'latin1');
const IV_BYTES = 12;
const TAG_BYTES = 16;

function cryptoError(message: string, cause?: unknown): TesseraError {
  return new TesseraError(500, `[tessera] [crypto] ${message}`, cause === undefined ? undefined : { cause });
}

function hasMagic(bytes: Uint8Array): boolean {
  return bytes.byteLength >= MAGIC.length && MAGIC.equals(Buffer.from(bytes.buffer, bytes.byteOffset, 4));
}

/** The kid of an encrypted blob, or undefined for plain bytes. */
export function blobKeyId(bytes: Uint8Array): string | undefined {
  if (!hasMagic(bytes)) return undefined;
  const len = bytes[4] ?? 0;
  return Buffer.from(bytes.buffer, bytes.byteOffset + 5, Math.min(len, bytes.byteLength - 5)).toString(
    'latin1',
  );
}

export function createEncryptedProfileCodec(ring: KeyRingInput): ProfileCodec {
  if (!ring.secrets[ring.current]) throw cryptoError(`current key "${ring.current}" is not in the ring`);
  const keys = new Map<string, Buffer>();
  const keyFor = (kid: string): Buffer | undefined => {
    let k = keys.get(kid);
    if (!k) {
      const secret = ring.secrets[kid];
      if (secret === undefined) return undefined;
      k = Buffer.from(hkdfSync('sha256', secret, 'tessera/v1', 'profile-at-rest', 32));
      keys.set(kid, k);
    }
    return k;
  };
  const currentKid = Buffer.from(ring.current, 'latin1');
  // The current key as a KeyObject, made once: a raw key makes `createCipheriv` build one per call.
  let currentKey: KeyObject | undefined;
  // MAGIC · kid length · kid, the same in every blob written with the current key.
  const head = Buffer.concat([MAGIC, Buffer.from([currentKid.length]), currentKid]);

  return {
    encode(p) {
      // The JSON goes to the cipher as text (it encodes UTF-8 itself): no bytes copy of it first.
      const json = encodeProfileText(p);
      const plainBytes = Buffer.byteLength(json, 'utf8');
      checkEncodedSize(plainBytes); // the size cap applies to the plain encoding
      currentKey ??= createSecretKey(keyFor(ring.current)!);
      const iv = freshIv();
      const cipher = createCipheriv('aes-256-gcm', currentKey, iv);
      // One blob, one copy: head and IV, then the ciphertext and the tag.
      const body = cipher.update(json, 'utf8');
      const tail = cipher.final();
      const out = Buffer.allocUnsafe(head.length + IV_BYTES + body.length + tail.length + TAG_BYTES);
      let at = head.copy(out, 0);
      out.set(iv, at);
      at += IV_BYTES;
      at += body.copy(out, at);
      at += tail.copy(out, at);
      cipher.getAuthTag().copy(out, at);
      return out;
    },
    decode(bytes) {
      if (!hasMagic(bytes)) return decodeProfile(bytes);
      const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const kidLen = b[4] ?? 0;
      const ivAt = 5 + kidLen;
      if (b.length < ivAt + IV_BYTES + TAG_BYTES) throw cryptoError('encrypted profile is truncated');
      const kid = b.subarray(5, ivAt).toString('latin1');
      const key = keyFor(kid);
      if (!key) throw cryptoError(`profile is encrypted with key "${kid}", which is not in the key ring`);
      const decipher = createDecipheriv('aes-256-gcm', key, b.subarray(ivAt, ivAt + IV_BYTES));
      decipher.setAuthTag(b.subarray(b.length - TAG_BYTES));
      let plain: Buffer;
      try {
        plain = Buffer.concat([
          decipher.update(b.subarray(ivAt + IV_BYTES, b.length - TAG_BYTES)),
          decipher.final(),
        ]);
      } catch (e) {
        throw cryptoError(
          `encrypted profile (key "${kid}") failed authentication: tampered or wrong secret`,
          e,
        );
      }
      return decodeProfile(plain);
    },
    stale(bytes) {
      return blobKeyId(bytes) !== ring.current;
    },
  };
}
