/**
 * Boundedness without breaking the lattice. Each part keeps its top N
 * *elements* in a strict total order that merge can only raise: for per-node
 * components an element is (key, node, value), ranked by value, then key,
 * then node. Because merging never lowers an element's rank, truncating
 * before or after a merge keeps the same elements:
 * trunc(merge(trunc(a), b)) = trunc(merge(a, b)). (Ranking a key by the sum
 * over its nodes would not have this property.)
 *
 * The output is also put in one canonical layout (sorted keys), so equal
 * profiles encode to equal bytes.
 * @module
 */
import { compareHlc } from '../hlc.js';
import type { LwwRegister, Profile, RecentItem } from '../types.js';
import type { Component, Components } from './components.js';
import { listComponents } from './components.js';
import { MIN_STORED } from './decay.js';
import { eraseProfile } from './empty.js';
import { PROFILE_LIMITS } from './limits.js';
import { markNormal } from './normal.js';
import { own } from './own.js';
import { compareSeen, truncateSeen } from './seen.js';

export const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Top `n` elements by (value desc, key, node), dropping values below `min`; keys and nodes sorted. */
export function truncateComponents(elements: Component[], n: number, min: number): Components {
  const kept = elements
    .filter((el) => Number.isFinite(el[2]) && el[2] >= min)
    .sort((x, y) => y[2] - x[2] || byString(x[0], y[0]) || byString(x[1], y[1]))
    .slice(0, n)
    .sort((x, y) => byString(x[0], y[0]) || byString(x[1], y[1]));
  const out: Components = {};
  for (const [key, node, value] of kept) {
    const nodes = own(out, key) ?? {};
    nodes[node] = value;
    out[key] = nodes;
  }
  return out;
}

/** The order of recent items: newest first, then item, then type. */
export function compareRecent(a: RecentItem, b: RecentItem): number {
  return compareHlc(b.at, a.at) || byString(a.item, b.item) || byString(a.type, b.type);
}

/** The newest `n` distinct (item, type, clock) entries, newest first. */
export function truncateRecent(items: RecentItem[], n: number): RecentItem[] {
  const sorted = [...items].sort(compareRecent);
  const out: RecentItem[] = [];
  for (const it of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && compareRecent(last, it) === 0) continue;
    out.push(it);
    if (out.length === n) break;
  }
  return out;
}

type Traits = Profile['traits'];

/** The `n` most recently written traits (clock desc, then key); keys sorted. */
export function truncateTraits(traits: Traits, n: number): Traits {
  const kept = Object.entries(traits)
    .sort(([ka, ra], [kb, rb]) => compareHlc(rb.at, ra.at) || byString(ka, kb))
    .slice(0, n)
    .sort(([ka], [kb]) => byString(ka, kb));
  const out: Record<string, LwwRegister<string | number | boolean>> = {};
  for (const [k, r] of kept) out[k] = r;
  return out;
}

/** The `n` suppressions that expire last (then by key); keys sorted. */
export function truncateSuppressions(s: Record<string, number>, n: number): Record<string, number> {
  const kept = Object.entries(s)
    .filter(([, until]) => Number.isFinite(until))
    .sort(([ka, a], [kb, b]) => b - a || byString(ka, kb))
    .slice(0, n)
    .sort(([ka], [kb]) => byString(ka, kb));
  return Object.fromEntries(kept);
}

type Parts = Pick<
  Profile,
  'affinities' | 'counts' | 'recent' | 'traits' | 'exposures' | 'suppressions' | 'seen'
>;

/** Where the sums are anchored, and the registers: what a profile holds besides its bounded parts. */
interface Header {
  landmark: number;
  halfLifeMs?: number | undefined;
  consent?: Profile['consent'] | undefined;
  userId?: Profile['userId'] | undefined;
}

/** A profile in the canonical field order: header from `p`, the bounded parts as given. */
export function assembleProfile(p: Header, parts: Parts): Profile {
  return {
    v: 1,
    landmark: p.landmark,
    ...(p.halfLifeMs !== undefined && { halfLifeMs: p.halfLifeMs }),
    affinities: parts.affinities,
    counts: parts.counts,
    recent: parts.recent,
    traits: parts.traits,
    ...(p.consent !== undefined && { consent: p.consent }),
    ...(p.userId !== undefined && { userId: p.userId }),
    exposures: parts.exposures,
    suppressions: parts.suppressions,
    seen: parts.seen,
  };
}

/** Every part truncated to PROFILE_LIMITS and laid out canonically. Every profile that exists went through this. */
export function normalizeProfile(p: Profile): Profile {
  if (p.erasedAt !== undefined) return eraseProfile(p.erasedAt);
  return markNormal(
    assembleProfile(p, {
      affinities: truncateComponents(listComponents(p.affinities), PROFILE_LIMITS.affinities, MIN_STORED),
      counts: truncateComponents(listComponents(p.counts), PROFILE_LIMITS.counts, MIN_STORED),
      recent: truncateRecent(p.recent, PROFILE_LIMITS.recent),
      traits: truncateTraits(p.traits, PROFILE_LIMITS.traits),
      exposures: truncateComponents(listComponents(p.exposures), PROFILE_LIMITS.exposures, 1),
      suppressions: truncateSuppressions(p.suppressions, PROFILE_LIMITS.suppressions),
      seen: truncateSeen(p.seen, PROFILE_LIMITS.seen),
    }),
  );
}

/**
 * True when normalizing `p` would change nothing, not even its layout: each
 * part within its limit, in canonical order, without values truncation drops.
 * (Any set within a limit is its own top N, so no ranking needs checking.)
 * Linear and allocation-free; for profiles this module did not mark.
 */
export function inNormalForm(p: Profile): boolean {
  if (p.erasedAt !== undefined) return false;
  const L = PROFILE_LIMITS;
  return (
    componentsInForm(p.affinities, L.affinities, MIN_STORED) &&
    componentsInForm(p.counts, L.counts, MIN_STORED) &&
    componentsInForm(p.exposures, L.exposures, 1) &&
    sortedWithin(p.recent, L.recent, compareRecent) &&
    sortedWithin(Object.keys(p.traits), L.traits, byString) &&
    sortedWithin(Object.keys(p.suppressions), L.suppressions, byString) &&
    Object.values(p.suppressions).every(Number.isFinite) &&
    sortedWithin(p.seen, L.seen, compareSeen)
  );
}

function componentsInForm(c: Components, n: number, min: number): boolean {
  let count = 0;
  let lastKey: string | undefined;
  for (const key in c) {
    if (lastKey !== undefined && byString(lastKey, key) >= 0) return false;
    lastKey = key;
    const nodes = c[key]!;
    let lastNode: string | undefined;
    for (const node in nodes) {
      if (lastNode !== undefined && byString(lastNode, node) >= 0) return false;
      lastNode = node;
      const v = nodes[node]!;
      if (!(Number.isFinite(v) && v >= min) || ++count > n) return false;
    }
    if (lastNode === undefined) return false;
  }
  return true;
}

/** At most `n` elements, strictly increasing (so distinct too). */
function sortedWithin<T>(xs: readonly T[], n: number, compare: (a: T, b: T) => number): boolean {
  if (xs.length > n) return false;
  for (let i = 1; i < xs.length; i++) if (compare(xs[i - 1]!, xs[i]!) >= 0) return false;
  return true;
}
