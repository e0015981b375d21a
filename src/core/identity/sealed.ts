/**
 * Sealed cookies: AES-GCM (WebCrypto) with a key id in every ciphertext,
 * `v1.<kid>.<base64url(iv ‖ ciphertext)>`, so a rotation keeps old cookies
 * readable while new ones use the current key. The additional data binds a
 * ciphertext to its purpose (and, for profile digests, to the visitor id).
 * @module
 */
import { fromBase64Url, toBase64Url } from './base64url.js';
import type { KeyRing } from './keys.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const MAX_SEALED = 3000;

export async function seal(ring: KeyRing, plaintext: string, aad: string): Promise<string> {
  const iv = new Uint8Array(12);
  crypto.getRandomValues(iv);
  const key = await ring.aes(ring.current)!;
  const ct = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: enc.encode(aad) },
    key,
    enc.encode(plaintext),
  );
  const out = new Uint8Array(12 + ct.byteLength);
  out.set(iv);
  out.set(new Uint8Array(ct), 12);
  return `v1.${ring.current}.${toBase64Url(out)}`;
}

/** The plaintext, or undefined when the value is malformed, forged, or for another purpose. */
export async function unseal(
  ring: KeyRing,
  value: string | undefined,
  aad: string,
): Promise<string | undefined> {
  if (!value || value.length > MAX_SEALED || !value.startsWith('v1.')) return undefined;
  const dot = value.indexOf('.', 3);
  if (dot === -1) return undefined;
  const key = ring.aes(value.slice(3, dot));
  const bytes = fromBase64Url(value.slice(dot + 1)) as Uint8Array<ArrayBuffer> | undefined;
  if (!key || !bytes || bytes.length < 12 + 16) return undefined;
  try {
    const pt = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: bytes.subarray(0, 12), additionalData: enc.encode(aad) },
      await key,
      bytes.subarray(12),
    );
    return dec.decode(pt);
  } catch {
    return undefined;
  }
}
