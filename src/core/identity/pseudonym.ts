/**
 * Pseudonymous user ids: what the event log, the identity links and the
 * profile keep instead of the user id a site sends with `identify`. A keyed
 * hash (HMAC-SHA256 under a key-ring key), so the same user always maps to
 * the same pseudonym, nobody without the secret can compute or reverse it,
 * and a leaked database holds no raw user id.
 * @module
 */
import type { KeyRing } from './keys.js';

const enc = new TextEncoder();
/** `u_` + 32 hex (128 bits): fits the profile's 48-byte user-id limit. */
const HEX_CHARS = 32;

export async function pseudonymizeUserId(ring: KeyRing, userId: string): Promise<string> {
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await ring.pseudonym(), enc.encode(userId)));
  let hex = '';
  for (const b of mac) hex += b.toString(16).padStart(2, '0');
  return `u_${hex.slice(0, HEX_CHARS)}`;
}
