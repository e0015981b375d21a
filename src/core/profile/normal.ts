/**
 * Profiles this module made, and so knows to be in normal form (truncated,
 * laid out canonically). Applying events to such a profile can then change
 * only what the events touch instead of re-normalizing everything.
 *
 * Each one may carry an index of its `seen` hashes, for constant-time dedupe.
 * The index moves along a chain of versions: applying events takes it from
 * the old profile, updates it, and gives it to the new one, so a visitor's
 * stream of events never rebuilds it. A profile whose index was taken (an
 * older version used again) rebuilds its own from `seen` on demand.
 *
 * This relies on what the rest of the engine already assumes (the decision
 * memo keys on profile identity): a profile is never changed in place.
 * @module
 */
import type { Profile } from '../types.js';
import { indexSeen, type SeenIndex } from './seen.js';

const normal = new WeakMap<Profile, { seen: SeenIndex | undefined }>();

/** Record that `p` is in normal form (and, optionally, the index of its `seen` hashes). */
export function markNormal(p: Profile, seen?: SeenIndex): Profile {
  normal.set(p, { seen });
  return p;
}

export function isMarkedNormal(p: Profile): boolean {
  return normal.has(p);
}

/** The index of `p.seen`, to read; built (and kept, for a marked profile) when missing. */
export function seenIndexOf(p: Profile): SeenIndex {
  const entry = normal.get(p);
  if (entry?.seen !== undefined) return entry.seen;
  const seen = indexSeen(p.seen);
  if (entry !== undefined) entry.seen = seen;
  return seen;
}

/** The index of `p.seen`, for the caller to change: `p` no longer holds it. */
export function takeSeenIndex(p: Profile): SeenIndex {
  const seen = seenIndexOf(p);
  const entry = normal.get(p);
  if (entry !== undefined) entry.seen = undefined;
  return seen;
}
