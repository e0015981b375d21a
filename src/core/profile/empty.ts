/**
 * The empty profile and the erasure tombstone.
 * @module
 */
import type { Profile } from '../types.js';

/** A profile with nothing in it yet. Its landmark only matters once a decayed value is added. */
export function emptyProfile(now: number): Profile {
  return {
    v: 1,
    landmark: now,
    affinities: {},
    counts: {},
    recent: [],
    traits: {},
    exposures: {},
    suppressions: {},
    seen: [],
  };
}

/** The tombstone of an erased visitor: empty, and it wins every merge. */
export function eraseProfile(at: number): Profile {
  return { ...emptyProfile(at), erasedAt: at };
}

export function isErased(p: Profile): boolean {
  return p.erasedAt !== undefined;
}
