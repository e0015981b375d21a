/**
 * A view of an item the visitor viewed moments ago is the same view: the edge
 * records one when it serves an item page, and the browser script reports the
 * page's main item too; reloads repeat it. Counting each would inflate both
 * the profile and the trainer's co-occurrence counts.
 * @module
 */
import type { Profile, TesseraEvent } from './types.js';

export const REPEAT_VIEW_WINDOW_MS = 30_000;

/** The events without views that repeat a view of the same item within the window. */
export function dropRepeatViews(
  profile: Profile | undefined,
  events: TesseraEvent[],
  windowMs = REPEAT_VIEW_WINDOW_MS,
): TesseraEvent[] {
  const lastView = new Map<string, number>();
  if (profile) {
    for (const r of profile.recent) {
      if (r.type === 'view' && !lastView.has(r.item)) lastView.set(r.item, r.at.p);
    }
  }
  const out: TesseraEvent[] = [];
  for (const e of events) {
    if (e.type === 'view' && e.item !== undefined) {
      const prev = lastView.get(e.item);
      if (prev !== undefined && Math.abs(e.ts - prev) < windowMs) continue;
      lastView.set(e.item, e.ts);
    }
    out.push(e);
  }
  return out;
}
