/**
 * The ledger in the embedded store's SQLite file (tables `ledger_marks`,
 * `ledger_counts`, `ledger_status`, see connections/sqlite.ts), through a
 * connection of its own with the same group commit as the profile store.
 *
 * A hit's mark is inserted (`INSERT OR IGNORE`) and, when it is new, the
 * node's counter raised, in one savepoint of one transaction, and `count()`
 * resolves after the commit: a count the node shows is in the file, so a
 * `kill -9` loses none of it.
 * @module
 */
import {
  type Database,
  erased,
  type GroupCommit,
  groupCommit,
  guard,
  onceCloser,
  openSqlite,
  type SqliteDriver,
} from '../connections/sqlite.js';
import {
  counterAt,
  counterKey,
  emptyLedger,
  laterStatus,
  parseCounterKey,
} from '../core/experiments/ledger-state.js';
import { type CountedHit, EXPOSURE_MARK, type LedgerStore } from '../core/experiments/ledger-store.js';

export interface SqliteLedgerOptions {
  /** The database file (the embedded store's). */
  path: string;
  driver?: SqliteDriver;
}

const SEP = '\u0001';

export async function createSqliteLedgerStore(o: SqliteLedgerOptions): Promise<LedgerStore> {
  const db: Database = await openSqlite(o.path, o.driver);
  const group: GroupCommit = groupCommit(db);
  const markOf = db.prepare<[string, string, string], { value: string }>(
    'SELECT value FROM ledger_marks WHERE experiment = ? AND visitor = ? AND mark = ?',
  );
  const insertMark = db.prepare(
    'INSERT OR IGNORE INTO ledger_marks (experiment, visitor, mark, value) VALUES (?, ?, ?, ?)',
  );
  const countOf = db.prepare<[string, string], { value: number }>(
    'SELECT value FROM ledger_counts WHERE counter = ? AND node = ?',
  );
  const putCount = db.prepare(
    `INSERT INTO ledger_counts (counter, node, value) VALUES (?, ?, ?)
     ON CONFLICT (counter, node) DO UPDATE SET value = max(value, excluded.value)`,
  );
  const allCounts = db.prepare<[], { counter: string; node: string; value: number }>(
    'SELECT counter, node, value FROM ledger_counts',
  );
  const statusOf = db.prepare<[string], { register: string }>(
    'SELECT register FROM ledger_status WHERE experiment = ?',
  );
  const putStatus = db.prepare(
    `INSERT INTO ledger_status (experiment, register) VALUES (?, ?)
     ON CONFLICT (experiment) DO UPDATE SET register = excluded.register`,
  );
  const deleteMarks = db.prepare('DELETE FROM ledger_marks WHERE visitor = ?');
  const allStatus = db.prepare<[], { experiment: string; register: string }>(
    'SELECT experiment, register FROM ledger_status',
  );
  const close = onceCloser(() => {
    group.drain();
    db.close();
  });

  return {
    name: 'sqlite',
    count(node, hits) {
      return group.write(
        'cannot count ledger hits',
        db.transaction(() => {
          const out: CountedHit[] = [];
          hits.forEach((h, index) => {
            let arm = h.arm;
            let segment = h.segment;
            if (h.counter !== 'exposed') {
              const x = markOf.get(h.experiment, h.visitor, EXPOSURE_MARK);
              if (!x) return;
              [arm, segment] = x.value.split(SEP) as [string, string];
            }
            if (arm === undefined || segment === undefined) return;
            const key = counterKey({ experiment: h.experiment, arm, segment, counter: h.counter });
            const value = (countOf.get(key, node)?.value ?? 0) + h.amount;
            if (!Number.isFinite(value)) return;
            const markValue = h.counter === 'exposed' ? `${arm}${SEP}${segment}` : '1';
            if (insertMark.run(h.experiment, h.visitor, h.mark, markValue).changes === 0) return;
            putCount.run(key, node, value);
            out.push({ index, arm, segment, value });
          });
          return out;
        }),
      );
    },
    async load() {
      group.drain();
      return guard('cannot load the ledger', () => {
        const state = emptyLedger();
        for (const r of allCounts.all()) {
          if (!parseCounterKey(r.counter)) continue;
          counterAt(state, r.counter)[r.node] = r.value;
        }
        for (const r of allStatus.all()) state.status[r.experiment] = JSON.parse(r.register);
        return state;
      });
    },
    merge(state) {
      return group.write(
        'cannot merge a ledger state',
        db.transaction(() => {
          for (const [key, c] of Object.entries(state.counters)) {
            if (!parseCounterKey(key)) continue;
            for (const [node, v] of Object.entries(c))
              if (Number.isFinite(v) && v > 0) putCount.run(key, node, v);
          }
          for (const [experiment, r] of Object.entries(state.status)) writeStatus(experiment, r);
        }),
      );
    },
    async forget(visitor) {
      await group.write(
        'cannot forget a visitor',
        db.transaction(() => {
          deleteMarks.run(visitor);
        }),
      );
      // Nothing of the erased visitor may stay in the WAL (secure_delete zeroes the freed pages).
      guard('cannot checkpoint after an erasure', () => erased(db));
    },
    putStatus(experiment, register) {
      return group.write(
        'cannot store a status',
        db.transaction(() => writeStatus(experiment, register)),
      );
    },
    close,
  };

  function writeStatus(experiment: string, register: Parameters<LedgerStore['putStatus']>[1]): void {
    const held = statusOf.get(experiment);
    const current = held ? JSON.parse(held.register) : undefined;
    if (laterStatus(current, register) === register) putStatus.run(experiment, JSON.stringify(register));
  }
}
