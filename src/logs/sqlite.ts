/**
 * The SQLite event log: the `events` table of the embedded store's file,
 * written through its group commit (see `connections/sqlite.ts`). Opened by
 * `createSqliteStore` beside the profile store, on the same connection.
 * @module
 */

import type BetterSqlite3 from 'better-sqlite3';
import { type Database, erased, type GroupCommit, guard, onceCloser } from '../connections/sqlite.js';
import type { EventLog } from '../core/ports.js';
import type { LoggedEvent } from '../core/types.js';

interface EventRow {
  seq: number;
  visitor: string;
  id: string;
  type: LoggedEvent['type'];
  ts: number;
  item: string | null;
  props: string | null;
  node: string;
  received: number;
}

function fromRow(r: EventRow): LoggedEvent {
  const event: LoggedEvent = {
    id: r.id,
    type: r.type,
    ts: r.ts,
    visitor: r.visitor,
    node: r.node,
    received: r.received,
  };
  if (r.item !== null) event.item = r.item;
  if (r.props !== null) event.props = JSON.parse(r.props) as Record<string, unknown>;
  return event;
}

/** Rows per INSERT: 8 parameters each, far below SQLite's limit; a `/collect` batch (≤ 100) is one. */
const ROWS_PER_INSERT = 100;

/** The values a batch binds, row by row: all eight columns, or the five that differ per event. */
function rowValues(events: LoggedEvent[], all: boolean): unknown[] {
  const values: unknown[] = new Array(events.length * (all ? 8 : 5));
  let k = 0;
  for (const e of events) {
    if (all) values[k++] = e.visitor;
    values[k++] = e.id;
    values[k++] = e.type;
    values[k++] = e.ts;
    values[k++] = e.item ?? null;
    values[k++] = e.props === undefined ? null : JSON.stringify(e.props);
    if (all) {
      values[k++] = e.node;
      values[k++] = e.received;
    }
  }
  return values;
}

export function sqliteEventLog(db: Database, group: GroupCommit, closePart: () => void): EventLog {
  // OR IGNORE skips a (visitor, id) already logged. One statement per batch (prepared once per
  // row count): a statement is all-or-nothing on its own, so a batch that fits one needs no
  // savepoint of its own in the group's transaction. No RETURNING: SQLite buffers its rows in a
  // temporary table and the driver builds an object per row, which made the insert half again as
  // dear; the count of rows changed says whether all were new, the usual case (see `insertChunk`).
  const inserts = new Map<number, BetterSqlite3.Statement<unknown[]>>();
  const insertRows = (n: number, shared: boolean) => {
    const key = shared ? -n : n;
    let stmt = inserts.get(key);
    if (!stmt) {
      // A batch of one visitor from one node at one time (every `/collect` batch) binds those
      // three once, by name: 5 values a row to bind instead of 8, and the visitor id encoded once.
      const row = shared ? '(@visitor, ?, ?, ?, ?, ?, @node, @received)' : '(?, ?, ?, ?, ?, ?, ?, ?)';
      stmt = db.prepare<unknown[]>(
        `INSERT OR IGNORE INTO events (visitor, id, type, ts, item, props, node, received)
         VALUES ${Array.from({ length: n }, () => row).join(', ')}`,
      );
      inserts.set(key, stmt);
    }
    return stmt;
  };
  // The rows one statement just inserted are the newest `?` by seq: AUTOINCREMENT hands out seqs
  // above every one ever used, and the group's transaction holds the write lock.
  const selectNewest = db.prepare<[number], { visitor: string; id: string }>(
    'SELECT visitor, id FROM events ORDER BY seq DESC LIMIT ?',
  );
  const selectPage = db.prepare<[number, number], EventRow>(
    'SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?',
  );
  const deleteByVisitor = db.prepare<[string]>('DELETE FROM events WHERE visitor = ?');
  const countEvents = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM events');
  const sweepEvents = db.prepare<[number]>('DELETE FROM events WHERE received < ?');

  /** Inserts `events` (at most ROWS_PER_INSERT) in one statement; returns those new to the log. */
  const insertChunk = (events: LoggedEvent[]): LoggedEvent[] => {
    const first = events[0]!;
    const shared = events.every(
      (e) => e.visitor === first.visitor && e.node === first.node && e.received === first.received,
    );
    const inserted = shared
      ? insertRows(events.length, true).run(rowValues(events, false), {
          visitor: first.visitor,
          node: first.node,
          received: first.received,
        }).changes
      : insertRows(events.length, false).run(rowValues(events, true)).changes;
    // All new: none repeated one already logged, nor one earlier in the call.
    if (inserted === events.length) return events;
    if (inserted === 0) return [];
    const fresh = new Set(selectNewest.all(inserted).map((r) => `${r.visitor}\u0000${r.id}`));
    // The first of a pair repeated inside the call is the one that went in.
    return events.filter((e) => fresh.delete(`${e.visitor}\u0000${e.id}`));
  };
  // A larger call takes several statements: one savepoint around them, all of its events or none.
  const appendChunks = db.transaction((events: LoggedEvent[]): LoggedEvent[] => {
    const out: LoggedEvent[] = [];
    for (let i = 0; i < events.length; i += ROWS_PER_INSERT)
      out.push(...insertChunk(events.slice(i, i + ROWS_PER_INSERT)));
    return out;
  });
  const appendTx = (events: LoggedEvent[]): LoggedEvent[] =>
    events.length <= ROWS_PER_INSERT ? insertChunk(events) : appendChunks(events);
  const ordered = <T>(what: string, fn: () => T): T =>
    guard(what, () => {
      group.drain();
      return fn();
    });

  return {
    name: 'sqlite',
    append(events) {
      if (events.length === 0) return Promise.resolve([]);
      return group.write('append', () => appendTx(events));
    },
    async read(after, limit) {
      return ordered('read', () => {
        const rows = selectPage.all(after, Math.max(0, limit));
        const last = rows[rows.length - 1];
        return { events: rows.map(fromRow), cursor: last ? last.seq : after };
      });
    },
    async deleteVisitor(visitor) {
      return ordered('deleteVisitor', () => {
        const n = deleteByVisitor.run(visitor).changes;
        erased(db);
        return n;
      });
    },
    async count() {
      return ordered('count', () => countEvents.get()?.n ?? 0);
    },
    async sweep(before) {
      return ordered('sweep', () => {
        const n = sweepEvents.run(before).changes;
        if (n > 0) erased(db);
        return n;
      });
    },
    close: onceCloser(closePart),
  };
}
