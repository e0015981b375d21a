/**
 * The sealed profile digest cookie (`tsr_p`): AES-GCM under the key ring,
 * bound to the visitor id (the id is the associated data, so a digest moved
 * onto another id does not open). Anything that does not open or parse is
 * no digest at all.
 * @module
 */
import { type KeyRing, seal, unseal } from '../identity/index.js';
import type { ProfileDigest } from '../types.js';

export function sealDigestCookie(ring: KeyRing, visitor: string, digest: ProfileDigest): Promise<string> {
  return seal(ring, JSON.stringify(digest), `digest:${visitor}`);
}

export async function readDigestCookie(
  ring: KeyRing,
  visitor: string,
  cookie: string | undefined,
): Promise<ProfileDigest | undefined> {
  if (!cookie) return undefined;
  const text = await unseal(ring, cookie, `digest:${visitor}`);
  if (!text) return undefined;
  try {
    const d = JSON.parse(text) as ProfileDigest;
    return Array.isArray(d.last) && typeof d.at === 'number' ? d : undefined;
  } catch {
    return undefined;
  }
}
