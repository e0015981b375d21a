/**
 * Pseudonymous user ids and traits: what the event log, the identity links
 * and the profile keep instead of the user id and the personal traits (an
 * email, a phone number) a site sends with `identify`. A keyed hash
 * (HMAC-SHA256 under a key-ring key), so the same value always maps to the
 * same pseudonym, nobody without the secret can compute or reverse it, and a
 * leaked database holds no raw user id or email.
 * @module
 */
import type { KeyRing } from './keys.js';

const enc = new TextEncoder();
/** `u_` + 32 hex (128 bits): fits the profile's 48-byte user-id limit. */
const HEX_CHARS = 32;

export async function pseudonymizeUserId(ring: KeyRing, userId: string): Promise<string> {
  const mac = await ring.mac('user-pseudonym', enc.encode(userId));
  let hex = '';
  for (const b of mac) hex += b.toString(16).padStart(2, '0');
  return `u_${hex.slice(0, HEX_CHARS)}`;
}

/**
 * A trait value as it is pseudonymized: text, trimmed, lower-case, Unicode
 * normalized, so `Alice@Example.com ` and `alice@example.com` are the same
 * person. User ids are not normalized: a site's ids may be case-sensitive.
 */
export function normalizeTraitValue(value: string | number | boolean): string {
  return String(value).normalize('NFKC').trim().toLowerCase();
}

/** The pseudonym a personal trait value is stored as (same key and form as user ids). */
export function pseudonymizeTrait(ring: KeyRing, value: string | number | boolean): Promise<string> {
  return pseudonymizeUserId(ring, normalizeTraitValue(value));
}

/** Every pseudonym a raw user id or trait value (an email) may be stored as. */
export async function pseudonymCandidates(ring: KeyRing, raw: string): Promise<string[]> {
  const both = await Promise.all([pseudonymizeUserId(ring, raw), pseudonymizeTrait(ring, raw)]);
  return [...new Set(both)];
}
