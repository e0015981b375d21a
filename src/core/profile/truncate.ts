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
import { own } from './own.js';

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

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

function compareRecent(a: RecentItem, b: RecentItem): number {
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

/** A `seen` entry: the node's physical clock in base 36, a dot, the event id hash. */
export function seenEntry(p: number, hash: string): string {
  return `${Math.max(0, Math.floor(p)).toString(36)}.${hash}`;
}

export function seenHash(entry: string): string {
  return entry.slice(entry.indexOf('.') + 1);
}

function seenTime(entry: string): number {
  return Number.parseInt(entry.slice(0, entry.indexOf('.')), 36);
}

/** The `n` newest distinct entries, newest first. */
export function truncateSeen(seen: string[], n: number): string[] {
  return [...new Set(seen)].sort((a, b) => seenTime(b) - seenTime(a) || byString(a, b)).slice(0, n);
}

/** Every part truncated to PROFILE_LIMITS and laid out canonically. Every profile that exists went through this. */
export function normalizeProfile(p: Profile): Profile {
  if (p.erasedAt !== undefined) return eraseProfile(p.erasedAt);
  return {
    v: 1,
    landmark: p.landmark,
    ...(p.halfLifeMs !== undefined && { halfLifeMs: p.halfLifeMs }),
    affinities: truncateComponents(listComponents(p.affinities), PROFILE_LIMITS.affinities, MIN_STORED),
    counts: truncateComponents(listComponents(p.counts), PROFILE_LIMITS.counts, MIN_STORED),
    recent: truncateRecent(p.recent, PROFILE_LIMITS.recent),
    traits: truncateTraits(p.traits, PROFILE_LIMITS.traits),
    ...(p.consent !== undefined && { consent: p.consent }),
    ...(p.userId !== undefined && { userId: p.userId }),
    exposures: truncateComponents(listComponents(p.exposures), PROFILE_LIMITS.exposures, 1),
    suppressions: truncateSuppressions(p.suppressions, PROFILE_LIMITS.suppressions),
    seen: truncateSeen(p.seen, PROFILE_LIMITS.seen),
  };
}
