/**
 * The SQLite event log: the `events` table of the embedded store's file,
 * written through its group commit (see `connections/sqlite.ts`). Opened by
 * `createSqliteStore` beside the profile store, on the same connection.
 * @module
 */

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

export function sqliteEventLog(db: Database, group: GroupCommit, closePart: () => void): EventLog {
  // OR IGNORE skips a (visitor, id) already logged; `changes` tells which were new.
  const insertEvent = db.prepare<
    [string, string, string, number, string | null, string | null, string, number]
  >(
    `INSERT OR IGNORE INTO events (visitor, id, type, ts, item, props, node, received)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const selectPage = db.prepare<[number, number], EventRow>(
    'SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?',
  );
  const deleteByVisitor = db.prepare<[string]>('DELETE FROM events WHERE visitor = ?');
  const countEvents = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM events');
  const sweepEvents = db.prepare<[number]>('DELETE FROM events WHERE received < ?');

  // One batch, one savepoint in the group's transaction: all of its events or none.
  const appendTx = db.transaction((events: LoggedEvent[]): LoggedEvent[] =>
    events.filter((e) => {
      const props = e.props === undefined ? null : JSON.stringify(e.props);
      return (
        insertEvent.run(e.visitor, e.id, e.type, e.ts, e.item ?? null, props, e.node, e.received).changes ===
        1
      );
    }),
  );
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
