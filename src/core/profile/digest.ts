/**
 * The cookie digest: the part of a profile a decision needs most, small
 * enough for an encrypted cookie, so the common decision needs no store read.
 * @module
 */
import type { Profile, ProfileDigest } from '../types.js';
import { THUMBS_DOWN_MS } from './declared.js';
import { emptyProfile } from './empty.js';
import { TEXT_LIMITS } from './limits.js';
import { topAffinities } from './read.js';
import { clampNode, clampText } from './text.js';
import { normalizeProfile } from './truncate.js';

/** Affinities carried in the digest. */
export const DIGEST_TOP = 12;
/** Recent item ids carried in the digest. */
export const DIGEST_LAST = 10;
/** Significant digits kept of each affinity: ranking needs little precision, the cookie wants few bytes. */
const DIGEST_DIGITS = 4;

export function makeDigest(p: Profile, segments: string[], now: number, halfLifeMs: number): ProfileDigest {
  const top: Record<string, number> = {};
  for (const [key, v] of topAffinities(p, undefined, now, halfLifeMs, DIGEST_TOP)) {
    const rounded = Number(v.toPrecision(DIGEST_DIGITS));
    if (rounded > 0) top[key] = rounded;
  }
  const last: string[] = [];
  for (const r of p.recent) {
    if (!last.includes(r.item)) last.push(r.item);
    if (last.length === DIGEST_LAST) break;
  }
  // Most profiles suppress nothing: no entries array, filter and sort for them.
  const suppressed: string[] = [];
  for (const key in p.suppressions) if (p.suppressions[key]! > now) suppressed.push(key);
  if (suppressed.length > 1) suppressed.sort();
  return { top, last, segments: [...segments], suppressed, at: now };
}

/**
 * A profile a decision can use when only the digest is at hand. Reads give the
 * digest's values at `d.at` (landmark = d.at, one component on `node`); recent
 * items come back as views, suppressions as lasting the shortest suppression
 * period from `d.at`. Meant for reading: merging it into a stored profile
 * would count the digest's sums again under `node`.
 */
export function profileFromDigest(d: ProfileDigest, node: string): Profile {
  const n = clampNode(node);
  const p = emptyProfile(d.at);
  for (const [key, v] of Object.entries(d.top)) {
    const k = clampText(key, TEXT_LIMITS.key);
    if (k !== '' && Number.isFinite(v) && v > 0) p.affinities[k] = { [n]: v };
  }
  const last = d.last.slice(0, DIGEST_LAST).map((item) => clampText(String(item), TEXT_LIMITS.item));
  p.recent = last.map((item, i) => ({ item, type: 'view', at: { p: d.at, l: last.length - i, n } }));
  for (const key of d.suppressed) {
    const k = clampText(String(key), TEXT_LIMITS.key);
    if (k !== '') p.suppressions[k] = d.at + THUMBS_DOWN_MS;
  }
  return normalizeProfile(p);
}
