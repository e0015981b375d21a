/**
 * Popularity from the event log: a weighted, time-decayed count per item, so
 * "popular now" favours what sells this week over what sold last year.
 * @module
 */
import type { EventType, LoggedEvent } from '../core/types.js';

/** A purchase says more than a cart add, which says more than a view. */
export const POPULARITY_WEIGHTS: Readonly<Partial<Record<EventType, number>>> = {
  view: 1,
  click: 2,
  add_to_cart: 4,
  purchase: 8,
};

export const POPULARITY_HALF_LIFE_MS = 7 * 24 * 3_600_000;

/**
 * Per-item popularity scores. Decay is measured back from the newest event,
 * not from the wall clock: the order is the same either way, and an old
 * imported dataset does not underflow to zero.
 */
export function popularityScores(
  events: ReadonlyArray<LoggedEvent & { item: string }>,
  index: Map<string, number>,
  itemCount: number,
): Float64Array {
  const scores = new Float64Array(itemCount);
  let newest = Number.NEGATIVE_INFINITY;
  for (const e of events) if (e.ts > newest) newest = e.ts;
  for (const e of events) {
    const i = index.get(e.item);
    const w = POPULARITY_WEIGHTS[e.type];
    if (i === undefined || w === undefined) continue;
    scores[i]! += w * 2 ** ((e.ts - newest) / POPULARITY_HALF_LIFE_MS);
  }
  return scores;
}

/**
 * Item indices that pass `keep`, most popular first; equal scores (e.g. no
 * events at all) keep catalog order.
 */
export function popularOrder(scores: Float64Array, keep: (i: number) => boolean): number[] {
  const order: number[] = [];
  for (let i = 0; i < scores.length; i++) if (keep(i)) order.push(i);
  return order.sort((a, b) => scores[b]! - scores[a]! || a - b);
}
