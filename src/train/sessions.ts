/**
 * Event log → visitor sessions: the ordered item ids one visitor touched
 * without a long pause. Sessions are the unit of co-occurrence.
 * @module
 */
import type { EventType, LoggedEvent } from '../core/types.js';

/** Event types that say something about an item. */
export const ITEM_EVENT_TYPES: ReadonlySet<EventType> = new Set(['view', 'click', 'add_to_cart', 'purchase']);

export function isItemEvent(e: LoggedEvent): e is LoggedEvent & { item: string } {
  return typeof e.item === 'string' && e.item !== '' && ITEM_EVENT_TYPES.has(e.type);
}

/**
 * Groups item events by visitor, orders each visitor's events by time (the
 * log order breaks ties), and starts a new session after `gapMs` without an
 * item event. Immediate repeats (a view then a click on the same item)
 * collapse into one entry. Sessions come out visitor by visitor, in order of
 * each visitor's first event.
 */
export function sessionsFromEvents(events: Iterable<LoggedEvent>, gapMs = 30 * 60_000): string[][] {
  const byVisitor = new Map<string, Array<{ ts: number; item: string }>>();
  for (const e of events) {
    if (!isItemEvent(e)) continue;
    let list = byVisitor.get(e.visitor);
    if (list === undefined) {
      list = [];
      byVisitor.set(e.visitor, list);
    }
    list.push({ ts: e.ts, item: e.item });
  }
  const sessions: string[][] = [];
  for (const list of byVisitor.values()) {
    list.sort((a, b) => a.ts - b.ts); // stable: equal times keep log order
    let current: string[] = [];
    let last = Number.NEGATIVE_INFINITY;
    for (const { ts, item } of list) {
      if (current.length > 0 && ts - last > gapMs) {
        sessions.push(current);
        current = [];
      }
      if (current[current.length - 1] !== item) current.push(item);
      last = ts;
    }
    if (current.length > 0) sessions.push(current);
  }
  return sessions;
}
