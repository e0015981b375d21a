/**
 * The profile reads of rule leaves, shaped for the decision hot path: twenty
 * interest segments and a banner read one profile twenty-five times per
 * decision, so these return exactly what `affinity` and `strongestAffinity`
 * of the profile module return, without redoing the shared parts on every
 * leaf (the decay factor, the strongest key) and without allocating.
 * @module
 */
import { halfLifeOf, pow2 } from '../profile/decay.js';
import { strongestAffinity } from '../profile/read.js';
import type { AffinityKind, Profile } from '../types.js';

// The decay factor of the last (landmark, now, half-life) read: every leaf of
// one decision asks the same one, and 2^x is the costly part of a read.
let factorLandmark = Number.NaN;
let factorNow = Number.NaN;
let factorHalfLife = Number.NaN;
let factor = 1;

function decayFactor(landmark: number, now: number, halfLifeMs: number): number {
  if (landmark !== factorLandmark || now !== factorNow || halfLifeMs !== factorHalfLife) {
    // The same expression as `decayedValue`, so values are equal to the bit.
    factor = pow2(-(now - landmark) / halfLifeMs);
    factorLandmark = landmark;
    factorNow = now;
    factorHalfLife = halfLifeMs;
  }
  return factor;
}

/** `affinity(p, key, now, halfLifeMs)`, with the decay factor shared by the leaves of one decision. */
export function affinityValue(p: Profile, key: string, now: number, halfLifeMs: number): number {
  const affinities = p.affinities;
  // Own keys only (as `own` does). The check first is also the fast way: a
  // profile's affinities are a dictionary-mode object, where a plain lookup
  // of a missing key (most interest segments, for most visitors) walks the
  // prototype chain on a slow path.
  if (!Object.hasOwn(affinities, key)) return 0;
  const nodes = affinities[key]!;
  let sum = 0;
  for (const node in nodes) sum += nodes[node]!;
  return sum === 0 ? 0 : sum * decayFactor(p.landmark, now, halfLifeOf(p, halfLifeMs));
}

// The last strongest-key answer: a slot's `top` rules (one per banner) ask
// the same question in a row. Keyed by the profile object, as the profile
// module's own memo is: profiles are never mutated, apply and merge return
// new ones.
let strongestProfile: Profile | undefined;
let strongestKind = '';
let strongestNow = Number.NaN;
let strongestHalfLife = Number.NaN;
let strongestValue: string | undefined;

/**
 * The value part of `strongestAffinity(p, kind, now, halfLifeMs)` (`running`
 * for `category:running`), or undefined when the profile has no key of that kind.
 */
export function strongestValueOf(
  p: Profile,
  kind: AffinityKind,
  now: number,
  halfLifeMs: number,
): string | undefined {
  if (
    p !== strongestProfile ||
    kind !== strongestKind ||
    now !== strongestNow ||
    halfLifeMs !== strongestHalfLife
  ) {
    const top = strongestAffinity(p, kind, now, halfLifeMs);
    strongestValue = top?.slice(kind.length + 1);
    strongestProfile = p;
    strongestKind = kind;
    strongestNow = now;
    strongestHalfLife = halfLifeMs;
  }
  return strongestValue;
}
