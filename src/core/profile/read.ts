/**
 * Queries on a profile, as segments, slot rules and the recommender ask them.
 * Decayed values are read with the profile's own half-life when it has one
 * (the sums only mean something under the half-life they were built with),
 * else with the caller's.
 * @module
 */
import type { AffinityKind, EventType, Profile, RecentItem } from '../types.js';
import { sumKey } from './components.js';
import { decayedValue, decayFactor, halfLifeOf } from './decay.js';
import { own } from './own.js';

/** The decayed value of one affinity key (`category:running`) at `now`: the sum over node components. */
export function affinity(p: Profile, key: string, now: number, halfLifeMs: number): number {
  const sum = sumKey(p.affinities, key);
  return sum === 0 ? 0 : decayedValue(sum, p.landmark, now, halfLifeOf(p, halfLifeMs));
}

/**
 * The `n` strongest affinities of one kind (or of every kind), strongest
 * first, ties by key. Keys keep their kind prefix (`category:running`).
 */
export function topAffinities(
  p: Profile,
  kind: AffinityKind | undefined,
  now: number,
  halfLifeMs: number,
  n: number,
): Array<[string, number]> {
  const prefix = kind === undefined ? '' : `${kind}:`;
  const sums: Array<[string, number]> = [];
  for (const key in p.affinities) {
    if (!key.startsWith(prefix)) continue;
    const sum = sumKey(p.affinities, key);
    if (sum > 0) sums.push([key, sum]);
  }
  // Ranked by the stored sums, not by the decayed values: decay multiplies every sum by one
  // factor, so the order is the same, except where rounding makes two decayed values equal
  // that were not. Ranking by sums keeps the order independent of `now` (and the same as
  // strongestAffinity's).
  sums.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  // Decay is the same factor for every key: worked out once, not once per key (as `affinity` would).
  const factor = sums.length === 0 ? 0 : decayFactor(p.landmark, now, halfLifeOf(p, halfLifeMs));
  const out: Array<[string, number]> = [];
  for (let i = 0; i < sums.length && out.length < n; i++) {
    const v = sums[i]![1] * factor;
    // A value faded past the smallest double reads as zero, and so do all below it.
    if (!(v > 0)) break;
    out.push([sums[i]![0], v]);
  }
  return out;
}

const strongestMemo = new WeakMap<Profile, Map<string, string | null>>();

/**
 * The strongest key of one kind (`category:running`), or undefined. Decay is
 * uniform, so the order of keys does not change with time: the answer depends
 * on the profile alone and is memoised per profile object (profiles are never
 * mutated; apply and merge return new ones). Segment rules ask this once per
 * interest segment on every decision.
 */
export function strongestAffinity(
  p: Profile,
  kind: AffinityKind,
  now: number,
  halfLifeMs: number,
): string | undefined {
  let byKind = strongestMemo.get(p);
  if (!byKind) {
    byKind = new Map();
    strongestMemo.set(p, byKind);
  }
  const hit = byKind.get(kind);
  if (hit !== undefined) return hit !== null && affinity(p, hit, now, halfLifeMs) > 0 ? hit : undefined;
  const prefix = `${kind}:`;
  let best: string | null = null;
  let bestSum = 0;
  for (const key in p.affinities) {
    if (!key.startsWith(prefix)) continue;
    const sum = sumKey(p.affinities, key);
    if (sum > bestSum || (sum === bestSum && sum > 0 && best !== null && key < best)) {
      best = key;
      bestSum = sum;
    }
  }
  byKind.set(kind, best);
  // A value faded past the smallest double reads as zero: then there is no strongest key.
  return best !== null && affinity(p, best, now, halfLifeMs) > 0 ? best : undefined;
}

/** The decayed number of events of a type (a recent-weighted count, not a windowed one). */
export function eventCount(p: Profile, type: string, now: number, halfLifeMs: number): number {
  const sum = sumKey(p.counts, type);
  return sum === 0 ? 0 : decayedValue(sum, p.landmark, now, halfLifeOf(p, halfLifeMs));
}

export function consentOf(
  p: Profile | undefined,
): { personalization: boolean; analytics: boolean } | undefined {
  const v = p?.consent?.v;
  return v === undefined ? undefined : { personalization: v.personalization, analytics: v.analytics };
}

/** True while `key` (`item:x`, `category:y`) has a suppression that has not expired. */
export function isSuppressed(p: Profile, key: string, now: number): boolean {
  return (own(p.suppressions, key) ?? Number.NEGATIVE_INFINITY) > now;
}

/** Impressions of an item or placement, summed over nodes. */
export function exposureCount(p: Profile, key: string): number {
  return sumKey(p.exposures, key);
}

/** Recent items, newest first; only view, click, add_to_cart and purchase are kept there. */
export function recentItems(p: Profile, type?: EventType): RecentItem[] {
  return type === undefined ? p.recent : p.recent.filter((r) => r.type === type);
}

/** When (node clock, epoch ms) the newest recent entry of a type was recorded, if it is still in the list. */
export function lastEventAt(p: Profile, type: EventType): number | undefined {
  return p.recent.find((r) => r.type === type)?.at.p;
}

/** A trait's value (`shoe_size`, `survey.goal`), if set. */
export function traitOf(p: Profile, key: string): string | number | boolean | undefined {
  return own(p.traits, key)?.v;
}
