/**
 * Profiles this module made, and so knows to be in normal form (truncated,
 * laid out canonically): applying events to one starts from its parts as
 * they are, without normalizing it again. Snapshots the fold made are known
 * by the state they own (fold-owner.ts); merged and decoded profiles are
 * marked here.
 *
 * This relies on what the rest of the engine already assumes (the decision
 * memo keys on profile identity): a profile is never changed in place.
 * @module
 */
import type { Profile } from '../types.js';

const normal = new WeakSet<Profile>();

/** Record that `p` is in normal form. */
export function markNormal(p: Profile): Profile {
  normal.add(p);
  return p;
}

export function isMarkedNormal(p: Profile): boolean {
  return normal.has(p);
}
