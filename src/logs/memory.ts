/**
 * The in-memory event log: an array in append order. For tests and ephemeral
 * runs. Same semantics as the SQLite log: events are deduplicated by
 * (visitor, id) and read with a sequence cursor.
 * @module
 */
import type { EventLog } from '../core/ports.js';
import type { LoggedEvent } from '../core/types.js';

interface Row {
  seq: number;
  event: LoggedEvent;
}

/** JSON, not a separator character: no visitor/id pair can collide with another. */
const dedupeKey = (e: LoggedEvent) => JSON.stringify([e.visitor, e.id]);

export function createMemoryEventLog(name = 'memory'): EventLog {
  /** Ascending by seq; deletions keep the order. */
  let rows: Row[] = [];
  const keys = new Set<string>();
  let lastSeq = 0;

  /** Index of the first row with seq > after (rows are sorted by seq). */
  const firstAfter = (after: number): number => {
    let lo = 0;
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (rows[mid]!.seq <= after) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  return {
    name,
    async append(events) {
      const added: LoggedEvent[] = [];
      for (const event of events) {
        const key = dedupeKey(event);
        if (keys.has(key)) continue;
        keys.add(key);
        // A copy, so a caller mutating its event later does not rewrite history.
        rows.push({ seq: ++lastSeq, event: structuredClone(event) });
        added.push(event);
      }
      return added;
    },
    async read(after, limit) {
      const start = firstAfter(after);
      const page = rows.slice(start, start + Math.max(0, limit));
      const last = page[page.length - 1];
      return { events: page.map((r) => structuredClone(r.event)), cursor: last ? last.seq : after };
    },
    async deleteVisitor(visitor) {
      const before = rows.length;
      rows = rows.filter((r) => {
        if (r.event.visitor !== visitor) return true;
        keys.delete(dedupeKey(r.event));
        return false;
      });
      return before - rows.length;
    },
    async count() {
      return rows.length;
    },
    async sweep(before) {
      const kept = rows.filter((r) => r.event.received >= before);
      for (const r of rows) if (r.event.received < before) keys.delete(dedupeKey(r.event));
      const n = rows.length - kept.length;
      rows = kept;
      return n;
    },
    async close() {},
  };
}
