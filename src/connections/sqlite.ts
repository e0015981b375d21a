/**
 * The embedded store's SQLite file (better-sqlite3, WAL mode), shared by the
 * profile store (`profiles/sqlite.ts`) and the event log (`logs/sqlite.ts`):
 * opening it, its schema, and the group commit both write through.
 *
 * better-sqlite3 is loaded lazily with a dynamic `import()` (or injected), so
 * nothing that imports the core pulls in a native module.
 *
 * Group commit: appends and merges called in the same event-loop turn share
 * one IMMEDIATE transaction, written at the end of the turn (`setImmediate`).
 * A commit costs far more than a row (the WAL frames of every page touched,
 * the write lock), so under load one commit carries many requests' rows;
 * alone, a write waits one loop turn. Each call's rows are all in or all out,
 * and one call failing (a corrupt profile) fails that call only: a call is a
 * single statement (atomic on its own) or runs in a savepoint of its own (a
 * `db.transaction` function). A call's promise settles after the commit: an append
 * that resolved is in the file. Every other operation first runs the writes
 * queued before it, so the store applies calls in the order they were made
 * (a delete never lands before a merge called earlier); a profile read runs
 * them only when one of them writes that profile (`queued`): the others cannot
 * change what it reads, and a commit forced per read would undo the grouping.
 * @module
 */
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { TesseraError } from '../core/errors.js';
import { makePrivate, privateDir, privateFile, sqliteFiles } from './private-files.js';

export type Database = BetterSqlite3.Database;
/** All the store needs of better-sqlite3: its constructor (the default export). */
export type SqliteDriver = new (filename: string) => Database;

/** Bumped when the schema changes; stored in `PRAGMA user_version`. */
const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS profiles (
  id TEXT PRIMARY KEY,
  data BLOB NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS links (
  alias TEXT PRIMARY KEY,
  canonical TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS links_by_canonical ON links (canonical);
CREATE INDEX IF NOT EXISTS profiles_by_change ON profiles (updated_at, id);
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  visitor TEXT NOT NULL,
  id TEXT NOT NULL,
  type TEXT NOT NULL,
  ts REAL NOT NULL,
  item TEXT,
  props TEXT,
  node TEXT NOT NULL,
  received REAL NOT NULL,
  UNIQUE (visitor, id)
);
CREATE TABLE IF NOT EXISTS ledger_marks (
  experiment TEXT NOT NULL,
  visitor TEXT NOT NULL,
  mark TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (experiment, visitor, mark)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ledger_counts (
  counter TEXT NOT NULL,
  node TEXT NOT NULL,
  value REAL NOT NULL,
  PRIMARY KEY (counter, node)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ledger_status (
  experiment TEXT PRIMARY KEY,
  register TEXT NOT NULL
);
`;

export function sqliteError(message: string, cause?: unknown): TesseraError {
  return new TesseraError(500, `[tessera] [sqlite] ${message}`, { cause });
}

/** Runs `fn`, turning anything it throws into a `[tessera] [sqlite]` error. */
export function guard<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof TesseraError) throw e;
    throw sqliteError(`${what}: ${e instanceof Error ? e.message : String(e)}`, e);
  }
}

interface QueuedWrite {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (e: unknown) => void;
}

export interface GroupCommit {
  /**
   * Queue `fn` (one statement, or a `db.transaction` function) for this turn's transaction;
   * settles after the commit. `key` names the row it writes, for `queued`.
   */
  write<T>(what: string, fn: () => T, key?: string): Promise<T>;
  /** Run the queued writes now (before any other operation, and on close). */
  drain(): void;
  /** Whether a write queued with `key` waits for this turn's commit. */
  queued(key: string): boolean;
}

export function groupCommit(db: Database): GroupCommit {
  let queue: QueuedWrite[] = [];
  let keys = new Set<string>();
  let scheduled = false;
  const outcomes: Array<{ ok: boolean; value: unknown }> = [];
  const runAll = db.transaction((batch: QueuedWrite[]) => {
    for (const w of batch) {
      try {
        outcomes.push({ ok: true, value: w.run() });
      } catch (e) {
        // Its statement or its savepoint rolled back: that call fails alone. An error that ended
        // the whole transaction (RAISE(ROLLBACK), a full disk) fails the group.
        if (!db.inTransaction) throw e;
        outcomes.push({ ok: false, value: e });
      }
    }
  });
  const drain = () => {
    scheduled = false;
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    keys = new Set();
    outcomes.length = 0;
    try {
      runAll.immediate(batch);
    } catch (e) {
      // The commit itself failed (disk full, lock timeout): nothing of the group is in.
      const err =
        e instanceof TesseraError
          ? e
          : sqliteError(`commit: ${e instanceof Error ? e.message : String(e)}`, e);
      for (const w of batch) w.reject(err);
      return;
    }
    batch.forEach((w, i) => {
      const o = outcomes[i];
      if (o?.ok) w.resolve(o.value);
      else w.reject(o?.value);
    });
  };
  return {
    write<T>(what: string, fn: () => T, key?: string) {
      if (key !== undefined) keys.add(key);
      return new Promise<T>((resolve, reject) => {
        queue.push({
          run: () => guard(what, fn),
          resolve: resolve as (value: unknown) => void,
          reject,
        });
        if (!scheduled) {
          scheduled = true;
          setImmediate(drain);
        }
      });
    },
    drain,
    queued: (key) => keys.has(key),
  };
}

export async function loadDriver(): Promise<SqliteDriver> {
  try {
    const mod = await import('better-sqlite3');
    return mod.default;
  } catch (e) {
    throw sqliteError('cannot load better-sqlite3 (is it installed?)', e);
  }
}

/**
 * Opens (creating if needed, owner-only) and sets up the database at `path`;
 * `:memory:` works too.
 */
export async function openSqlite(path: string, driver?: SqliteDriver): Promise<Database> {
  const Driver = driver ?? (await loadDriver());
  const onDisk = path !== ':memory:' && path !== '';
  const db = guard(`cannot open ${path}`, () => {
    if (onDisk) {
      privateDir(dirname(path));
      privateFile(path);
    }
    return new Driver(path);
  });
  try {
    guard(`cannot set up ${path}`, () => {
      setUp(db);
      // Files from before this rule (or made by another tool) are tightened too.
      if (onDisk) makePrivate(...sqliteFiles(path));
    });
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

function setUp(db: Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw sqliteError(`schema version ${version} is newer than this tessera understands (${SCHEMA_VERSION})`);
  }
  // WAL: readers never block the writer. NORMAL sync is safe in WAL mode (a
  // power loss may drop the last commits, never corrupt the file).
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // Another process holding the write lock makes us wait, not fail.
  db.pragma('busy_timeout = 5000');
  // Erasure must leave no trace in the file: deleted rows are overwritten with
  // zeros. The WAL still holds the old pages until a checkpoint: see `erased`.
  db.pragma('secure_delete = ON');
  db.exec(SCHEMA);
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
}

/**
 * After a deletion: fold the WAL into the (zeroed) database file and truncate
 * it, so the deleted rows' old pages do not wait in `-wal` for the next
 * automatic checkpoint (or survive a crash there). Erasures are rare; the
 * cost is one checkpoint each.
 */
export function erased(db: Database): void {
  // A checkpoint already running on another connection (the WAL checkpointer's worker) makes
  // this one answer busy at once, without the busy handler: wait for it to end, then truncate.
  for (let tries = 0; tries < ERASED_TRIES; tries++) {
    const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
    if (!result?.busy) return;
    Atomics.wait(pause, 0, 0, 1);
  }
  throw sqliteError('cannot checkpoint after an erasure: the WAL stayed busy');
}
/** Tries of the post-erasure checkpoint, 1 ms apart (a running passive checkpoint takes a few ms). */
const ERASED_TRIES = 5000;
const pause = new Int32Array(new SharedArrayBuffer(4));

export function onceCloser(closePart: () => void): () => Promise<void> {
  let closed = false;
  return async () => {
    if (closed) return;
    closed = true;
    closePart();
  };
}
