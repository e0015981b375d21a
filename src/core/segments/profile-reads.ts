/**
 * The profile reads of rule leaves, shaped for the decision hot path: twenty
 * interest segments and a banner read one profile twenty-five times per
 * decision, so these return exactly what `affinity` and `strongestAffinity`
 * of the profile module return, without redoing the shared parts.
 *
 * What does not depend on the clock is kept per profile: the raw sum of each
 * affinity key a rule reads (summed over nodes once, not once per leaf and
 * decision) and the strongest key of each kind (decay is uniform, so the
 * order of keys never changes with time). Only the decay factor depends on
 * `now`; it is computed once per (landmark, now, half-life) and applied to
 * the stored sum, with the same expression as `decayedValue`, so values are
 * equal to the bit. A profile is read as a value, as the profile module's own
 * memo does: apply and merge return new profiles; the memo also checks that
 * the profile still holds the same affinities, landmark and half-life.
 * @module
 */
import { halfLifeOf, pow2 } from '../profile/decay.js';
import { DerivedMemo, newestAffinitySums } from '../profile/derived.js';
import type { AffinityKind, Profile } from '../types.js';

/** Affinity keys that rules read, each with its slot in every profile's table of sums. */
const keySlots = new Map<string, number>();
/**
 * Slots kept per profile. The table costs 8 bytes per slot for every profile
 * read; keys past this many (a config with hundreds of affinity rules) are
 * read from the profile on every use instead.
 */
const TABLE_SLOTS = 256;

function tableSize(): number {
  return Math.min(keySlots.size, TABLE_SLOTS);
}

/** The slot of an affinity key, assigned when a rule that reads it is compiled. */
export function affinitySlot(key: string): number {
  let slot = keySlots.get(key);
  if (slot === undefined) {
    slot = keySlots.size;
    keySlots.set(key, slot);
  }
  return slot;
}

const KIND_INDEX: Readonly<Record<AffinityKind, number>> = { item: 0, category: 1, brand: 2, tag: 3 };
const KIND_PREFIXES = ['item:', 'category:', 'brand:', 'tag:'];

/** The KIND_INDEX of a key's kind prefix (`category:running` → 1), or -1. */
function kindIndexOf(key: string): number {
  for (let k = 0; k < KIND_PREFIXES.length; k++) if (key.startsWith(KIND_PREFIXES[k]!)) return k;
  return -1;
}

/** What one profile's reads share across leaves and decisions. */
interface Reads {
  affinities: Profile['affinities'];
  landmark: number;
  halfLifeMs: number | undefined;
  /** Raw sum per key slot; NaN for a slot added after the profile was read (filled on first use). */
  sums: number[];
  /** Per kind (KIND_INDEX): the raw sum of the strongest key; 0 when the kind has no key. */
  topSums: number[];
  /** Per kind: the strongest key's value part (`running` for `category:running`). */
  topValues: Array<string | undefined>;
}

const readsMemo = new DerivedMemo<Reads>();
// The last profile read: the leaves of one decision ask about the same one in a row.
let lastProfile: Profile | undefined;
let lastReads: Reads | undefined;

function current(r: Reads, p: Profile): boolean {
  return r.affinities === p.affinities && r.landmark === p.landmark && r.halfLifeMs === p.halfLifeMs;
}

function readsOf(p: Profile): Reads {
  if (p === lastProfile && current(lastReads!, p)) return lastReads!;
  let r = readsMemo.get(p);
  if (r === undefined || !current(r, p)) {
    r = readAll(p);
    readsMemo.set(p, r);
  }
  lastProfile = p;
  lastReads = r;
  return r;
}

/**
 * One pass over the profile's affinities (at most PROFILE_LIMITS.affinities
 * keys): the raw sum of every key a rule reads, and the strongest key of each
 * kind, in `strongestAffinity`'s order (by raw sum, ties to the smaller key,
 * keys in enumeration order). Cheaper than a lookup per rule key on a
 * dictionary-mode object, and done once per profile.
 */
function readAll(p: Profile): Reads {
  // A plain array of doubles: on the JS heap, next to the record, where a
  // small typed array would hold its numbers in a separate buffer.
  const sums = filled(tableSize(), 0);
  const bestKey: Array<string | null> = [null, null, null, null];
  const bestSum = [0, 0, 0, 0];
  const n = collectSums(p);
  for (let i = 0; i < n; i++) {
    const key = keysRead[i]!;
    const sum = sumsRead[i]!;
    const slot = keySlots.get(key);
    if (slot !== undefined && slot < sums.length) sums[slot] = sum;
    const k = kindIndexOf(key);
    if (k < 0) continue;
    const best = bestKey[k]!;
    if (sum > bestSum[k]! || (sum === bestSum[k]! && sum > 0 && best !== null && key < best)) {
      bestKey[k] = key;
      bestSum[k] = sum;
    }
  }
  const topValues = bestKey.map((key, k) => (key === null ? undefined : key.slice(KIND_PREFIXES[k]!.length)));
  return {
    affinities: p.affinities,
    landmark: p.landmark,
    halfLifeMs: p.halfLifeMs,
    sums,
    topSums: bestSum,
    topValues,
  };
}

/** Every affinity key of the profile being read and its raw sum (filled by collectSums). */
const keysRead: string[] = [];
const sumsRead: number[] = [];

/**
 * Fills keysRead and sumsRead with the profile's affinity keys and raw sums;
 * returns how many. The profile the fold made last is read from its fold
 * state (no enumeration of its record: the first read of a just-folded
 * profile, which every decision after new events is); any other walks its
 * record. The strongest key's ties go to the smaller key, so the order of
 * keys does not change the answer.
 */
function collectSums(p: Profile): number {
  const n = newestAffinitySums(p, keysRead, sumsRead);
  if (n >= 0) return n;
  const affinities = p.affinities;
  // Own keys (inherited ones never count, as in `sumKey`), in for-in order.
  // A profile's affinities are a dictionary-mode object: one list of keys and
  // one lookup per key is cheaper there than for-in's check of every key.
  const keys = Object.keys(affinities);
  for (let i = 0; i < keys.length; i++) {
    keysRead[i] = keys[i]!;
    sumsRead[i] = nodeSum(affinities[keys[i]!]!);
  }
  return keys.length;
}

/** `n` copies of the number `x` in a packed array of doubles. */
function filled(n: number, x: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(x);
  return out;
}

/** The sum over a key's nodes, in `sumKey`'s order (so equal to the bit). */
function nodeSum(nodes: Record<string, number>): number {
  let sum = 0;
  for (const node in nodes) sum += nodes[node]!;
  return sum;
}

/** The raw sum of one key; 0 when absent. */
function rawSum(affinities: Profile['affinities'], key: string): number {
  // Own keys only (as `own` does). The check first is also the fast way: a
  // profile's affinities are a dictionary-mode object, where a plain lookup
  // of a missing key walks the prototype chain on a slow path.
  return Object.hasOwn(affinities, key) ? nodeSum(affinities[key]!) : 0;
}

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

/**
 * The table of raw sums of `p`, indexed by key slot. A slot past its end is
 * not kept, and a NaN is a slot added after the profile was read: read those
 * with `readSum`. For an evaluator that reads many keys of one profile in a row.
 */
export function sumsOf(p: Profile): number[] {
  const r = readsOf(p);
  const size = tableSize();
  if (r.sums.length < size) {
    // A rule compiled after this profile was first read: make room for its key.
    const grown = filled(size, Number.NaN);
    for (let i = 0; i < r.sums.length; i++) grown[i] = r.sums[i]!;
    r.sums = grown;
  }
  return r.sums;
}

/** The raw sum of `key` read from `p`, kept in its slot of `sums` (from `sumsOf(p)`) when the table has one. */
export function readSum(p: Profile, sums: number[], slot: number, key: string): number {
  const sum = rawSum(p.affinities, key);
  if (slot < sums.length) sums[slot] = sum;
  return sum;
}

/** What a raw sum of `p` is multiplied by to read it at `now`: `decayedValue`'s factor, to the bit. */
export function decayFactorOf(p: Profile, now: number, halfLifeMs: number): number {
  return decayFactor(p.landmark, now, halfLifeOf(p, halfLifeMs));
}

/**
 * `affinity(p, key, now, halfLifeMs)` for a key with its `affinitySlot`: the
 * raw sum is read from the profile once, the decay factor once per `now`.
 */
export function affinityValue(
  p: Profile,
  slot: number,
  key: string,
  now: number,
  halfLifeMs: number,
): number {
  const sums = sumsOf(p);
  let sum = slot < sums.length ? sums[slot]! : Number.NaN;
  if (Number.isNaN(sum)) sum = readSum(p, sums, slot, key);
  return sum === 0 ? 0 : sum * decayFactorOf(p, now, halfLifeMs);
}

/**
 * The value part of `strongestAffinity(p, kind, now, halfLifeMs)` (`running`
 * for `category:running`), or undefined when the profile has no key of that
 * kind or its value has faded to zero.
 */
export function strongestValueOf(
  p: Profile,
  kind: AffinityKind,
  now: number,
  halfLifeMs: number,
): string | undefined {
  const r = readsOf(p);
  const k = KIND_INDEX[kind];
  const value = r.topValues[k];
  if (value === undefined) return undefined;
  // A value faded past the smallest double reads as zero: then there is no strongest key.
  return r.topSums[k]! * decayFactor(p.landmark, now, halfLifeOf(p, halfLifeMs)) > 0 ? value : undefined;
}
