/**
 * The exploration share: a few slots (at most `share` of the list, rounded
 * down, so 1 of 10) go to good candidates the ranking put just below the cut,
 * picked at random. The random source is seeded by visitor and day, so a
 * visitor sees the same picks all day (a page reload does not reshuffle, and
 * a cached shell stays valid) and different ones tomorrow.
 * @module
 */

export const DEFAULT_EXPLORATION_SHARE = 0.1;
const DAY_MS = 86_400_000;

/** Slots reserved for exploration in a list of `count`. */
export function explorationSlots(count: number, share: number, visitorId: string | undefined): number {
  if (visitorId === undefined || !(share > 0)) return 0;
  return Math.floor(count * Math.min(share, 0.5));
}

/** FNV-1a, 32-bit. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A mulberry32 generator seeded by visitor and UTC day. */
export function visitorDayRandom(visitorId: string, now: number): () => number {
  let a = hash(`${visitorId}|${Math.floor(now / DAY_MS)}`);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks `n` distinct entries of `pool` (order of picking), without changing `pool`. */
export function pickSome<T>(pool: readonly T[], n: number, random: () => number): T[] {
  const idx = pool.map((_, i) => i);
  const out: T[] = [];
  for (let r = 0; r < n && idx.length > 0; r++) {
    const at = Math.floor(random() * idx.length);
    out.push(pool[idx[at]!]!);
    idx.splice(at, 1);
  }
  return out;
}
