/**
 * The CRDT join. Commutative, associative and idempotent, so replicas that
 * saw different events converge whatever order their copies meet in:
 * - decayed sums: rescaled to the later landmark (an exact power of two), then
 *   max per (key, node) — a G-counter per node;
 * - exposures: max per (key, node); suppressions: max expiry per key;
 * - recent items and seen ids: set union;
 * - traits, consent, user id: last writer wins on the hybrid logical clock;
 * - erasure: the tombstone with the latest `erasedAt` wins everything.
 * The result is truncated like every profile (see truncate.ts for why that
 * keeps the lattice).
 * @module
 */
import type { Profile } from '../types.js';
import { maxComponents } from './components.js';
import { laterFrame, rescaleFactor } from './decay.js';
import { eraseProfile } from './empty.js';
import { lwwMax } from './lww.js';
import { own } from './own.js';
import { normalizeProfile } from './truncate.js';

export function mergeProfiles(a: Profile, b: Profile): Profile {
  if (a.erasedAt !== undefined || b.erasedAt !== undefined) {
    return eraseProfile(
      Math.max(a.erasedAt ?? Number.NEGATIVE_INFINITY, b.erasedAt ?? Number.NEGATIVE_INFINITY),
    );
  }
  const frame = laterFrame(a, b);
  const sa = rescaleFactor(a, frame);
  const sb = rescaleFactor(b, frame);

  const traits: Profile['traits'] = { ...a.traits };
  for (const key in b.traits) traits[key] = lwwMax(own(a.traits, key), b.traits[key])!;

  const suppressions: Record<string, number> = { ...a.suppressions };
  for (const key in b.suppressions)
    suppressions[key] = Math.max(own(a.suppressions, key) ?? 0, b.suppressions[key]!);

  const consent = lwwMax(a.consent, b.consent);
  const userId = lwwMax(a.userId, b.userId);
  return normalizeProfile({
    v: 1,
    landmark: frame.landmark,
    ...(frame.halfLifeMs !== undefined && { halfLifeMs: frame.halfLifeMs }),
    affinities: maxComponents(a.affinities, b.affinities, sa, sb),
    counts: maxComponents(a.counts, b.counts, sa, sb),
    recent: [...a.recent, ...b.recent],
    traits,
    ...(consent !== undefined && { consent }),
    ...(userId !== undefined && { userId }),
    exposures: maxComponents(a.exposures, b.exposures),
    suppressions,
    seen: [...a.seen, ...b.seen],
  });
}
