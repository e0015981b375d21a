/**
 * Sealed cookies: AES-GCM (the key ring's: WebCrypto, or the runtime's primitives) with a key id in every ciphertext,
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
  return `v1.${ring.current}.${toBase64Url(await ring.sealBytes(enc.encode(plaintext), enc.encode(aad)))}`;
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
  const bytes = fromBase64Url(value.slice(dot + 1));
  if (!bytes) return undefined;
  const pt = await ring.openBytes(value.slice(3, dot), bytes, enc.encode(aad));
  return pt && dec.decode(pt);
}
