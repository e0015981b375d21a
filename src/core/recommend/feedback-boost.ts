/**
 * Thumbs up as a ranking signal. A thumbs up adds item affinity (weight 3,
 * profile/declared.ts) but no recent-item entry, so the neighbour sources
 * never see it. These helpers give the ranker what it needs: the liked items
 * to use as extra sources ("more like this"), and a score multiplier for a
 * candidate the visitor liked or whose category they liked. `likedItems`
 * feeds the neighbour sources (sources.ts); `feedbackBoost` is not used by
 * the ranker yet.
 * @module
 */
import { affinity } from '../profile/read.js';
import type { Profile } from '../types.js';

/** Decayed item affinity at or above this, with no recent entry, reads as a like (a thumbs up is 3). */
export const LIKED_MIN_AFFINITY = 2;

/** Liked items → decayed weight: items with strong affinity that the recent list does not explain. */
export function likedItems(
  p: Profile | undefined,
  now: number,
  halfLifeMs: number,
  limit = 8,
): Map<string, number> {
  const out = new Map<string, number>();
  if (!p || p.erasedAt !== undefined) return out;
  const recent = new Set(p.recent.map((r) => r.item));
  const found: Array<[string, number]> = [];
  for (const key in p.affinities) {
    if (!key.startsWith('item:')) continue;
    const id = key.slice(5);
    if (recent.has(id) || p.suppressions[key] !== undefined) continue;
    const w = affinity(p, key, now, halfLifeMs);
    if (w >= LIKED_MIN_AFFINITY) found.push([id, w]);
  }
  found.sort((a, b) => b[1] - a[1]);
  for (const [id, w] of found.slice(0, limit)) out.set(id, w);
  return out;
}

/**
 * Multiplier for a candidate's score: 1 plus a bounded share for a liked item
 * and for the visitor's affinity to its category (which a thumbs up raises).
 */
export function feedbackBoost(
  p: Profile | undefined,
  item: string,
  category: string | undefined,
  now: number,
  halfLifeMs: number,
): number {
  if (!p || p.erasedAt !== undefined) return 1;
  const own = affinity(p, `item:${item}`, now, halfLifeMs);
  const cat = category ? affinity(p, `category:${category}`, now, halfLifeMs) : 0;
  return 1 + Math.min(0.5, own / 6) + Math.min(0.25, cat / 40);
}
