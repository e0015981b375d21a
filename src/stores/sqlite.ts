/**
 * The default embedded store: profiles, identity links and the event log in
 * one SQLite file (better-sqlite3, WAL mode), usually under `.tessera/`.
 *
 * better-sqlite3 is loaded lazily with a dynamic `import()` (or injected), so
 * nothing that imports the core pulls in a native module.
 *
 * Group commit: appends and merges called in the same event-loop turn share
 * one IMMEDIATE transaction, written at the end of the turn (`setImmediate`).
 * A commit costs far more than a row (the WAL frames of every page touched,
 * the write lock), so under load one commit carries many requests' rows;
 * alone, a write waits one loop turn. Each call runs in its own savepoint, so
 * its rows are all in or all out, and one call failing (a corrupt profile)
 * fails that call only. A call's promise settles after the commit: an append
 * that resolved is in the file. Every other operation first runs the writes
 * queued before it, so the store applies calls in the order they were made
 * (a delete never lands before a merge called earlier).
 * @module
 */
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { TesseraError } from '../core/errors.js';
import type { EventLog, ProfileStore } from '../core/ports.js';
import { type Clock, systemClock } from '../core/ports.js';
import { mergeProfiles, type ProfileCodec, plainProfileCodec } from '../core/profile/index.js';
import type { LoggedEvent, Profile } from '../core/types.js';
import { makePrivate, privateDir, privateFile, sqliteFiles } from './private-files.js';
import type { Stores } from './types.js';

type Database = BetterSqlite3.Database;
/** All the store needs of better-sqlite3: its constructor (the default export). */
export type SqliteDriver = new (filename: string) => Database;

export interface SqliteStoreOptions {
  /** Database file; its parent directory is created if missing. `:memory:` works too. */
  path: string;
  /** The better-sqlite3 constructor, to skip the dynamic import (bundlers, tests). */
  driver?: SqliteDriver;
  /** Clock for `updated_at` (default: system clock). */
  clock?: Clock;
  /** Profile bytes at rest (default: plain JSON; the Node runtime injects AES-GCM). */
  codec?: ProfileCodec;
}

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
`;

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

function sqliteError(message: string, cause?: unknown): TesseraError {
  return new TesseraError(500, `[tessera] [sqlite] ${message}`, { cause });
}

/** Runs `fn`, turning anything it throws into a `[tessera] [sqlite]` error. */
function guard<T>(what: string, fn: () => T): T {
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

interface GroupCommit {
  /** Queue `fn` (a `db.transaction` function) for this turn's transaction; settles after the commit. */
  write<T>(what: string, fn: () => T): Promise<T>;
  /** Run the queued writes now (before any other operation, and on close). */
  drain(): void;
}

function groupCommit(db: Database): GroupCommit {
  let queue: QueuedWrite[] = [];
  let scheduled = false;
  const outcomes: Array<{ ok: boolean; value: unknown }> = [];
  const runAll = db.transaction((batch: QueuedWrite[]) => {
    for (const w of batch) {
      try {
        outcomes.push({ ok: true, value: w.run() });
      } catch (e) {
        // A savepoint rolled back: that call fails alone. An error that ended
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
    write<T>(what: string, fn: () => T) {
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
  };
}

async function loadDriver(): Promise<SqliteDriver> {
  try {
    const mod = await import('better-sqlite3');
    return mod.default;
  } catch (e) {
    throw sqliteError('cannot load better-sqlite3 (is it installed?)', e);
  }
}

export async function createSqliteStore(opts: SqliteStoreOptions): Promise<Stores> {
  const Driver = opts.driver ?? (await loadDriver());
  const clock = opts.clock ?? systemClock;
  const onDisk = opts.path !== ':memory:' && opts.path !== '';
  const db = guard(`cannot open ${opts.path}`, () => {
    if (onDisk) {
      privateDir(dirname(opts.path));
      privateFile(opts.path);
    }
    return new Driver(opts.path);
  });
  try {
    guard(`cannot set up ${opts.path}`, () => {
      setUp(db);
      // Files from before this rule (or made by another tool) are tightened too.
      if (onDisk) makePrivate(...sqliteFiles(opts.path));
    });
  } catch (e) {
    db.close();
    throw e;
  }

  const group = groupCommit(db);
  // Each part closes independently; the connection closes when both have.
  let openParts = 2;
  const closePart = () => {
    group.drain();
    openParts -= 1;
    if (openParts === 0) guard('close', () => db.close());
  };
  const profiles = guard('prepare', () =>
    sqliteProfileStore(db, group, clock, opts.codec ?? plainProfileCodec, closePart),
  );
  const events = guard('prepare', () => sqliteEventLog(db, group, closePart));
  return {
    profiles,
    events,
    async close() {
      await profiles.close();
      await events.close();
    },
  };
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
function erased(db: Database): void {
  db.pragma('wal_checkpoint(TRUNCATE)');
}

function onceCloser(closePart: () => void): () => Promise<void> {
  let closed = false;
  return async () => {
    if (closed) return;
    closed = true;
    closePart();
  };
}

function sqliteProfileStore(
  db: Database,
  group: GroupCommit,
  clock: Clock,
  codec: ProfileCodec,
  closePart: () => void,
): ProfileStore {
  const selectProfile = db.prepare<[string], { data: Uint8Array }>('SELECT data FROM profiles WHERE id = ?');
  const upsertProfile = db.prepare<[string, Uint8Array, number]>(
    `INSERT INTO profiles (id, data, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`,
  );
  const rewriteProfile = db.prepare<[Uint8Array, string]>('UPDATE profiles SET data = ? WHERE id = ?');
  const selectIds = db.prepare<[], { id: string }>('SELECT id FROM profiles ORDER BY id');
  const deleteProfile = db.prepare<[string]>('DELETE FROM profiles WHERE id = ?');
  const insertLink = db.prepare<[string, string]>(
    `INSERT INTO links (alias, canonical) VALUES (?, ?)
     ON CONFLICT (alias) DO UPDATE SET canonical = excluded.canonical`,
  );
  const selectCanonical = db.prepare<[string], { canonical: string }>(
    'SELECT canonical FROM links WHERE alias = ?',
  );
  const selectAliases = db.prepare<[string], { alias: string }>(
    'SELECT alias FROM links WHERE canonical = ? ORDER BY alias',
  );
  const deleteLinks = db.prepare<[string, string]>('DELETE FROM links WHERE alias = ? OR canonical = ?');
  const sweepLinks = db.prepare<[number, number]>(
    `DELETE FROM links WHERE alias IN (SELECT id FROM profiles WHERE updated_at < ?)
       OR canonical IN (SELECT id FROM profiles WHERE updated_at < ?)`,
  );
  const sweepProfiles = db.prepare<[number]>('DELETE FROM profiles WHERE updated_at < ?');
  const sweepTx = db.transaction((before: number): number => {
    sweepLinks.run(before, before);
    return sweepProfiles.run(before).changes;
  });

  const read = (id: string): Profile | undefined => {
    const row = selectProfile.get(id);
    if (row === undefined) return undefined;
    try {
      return codec.decode(row.data);
    } catch (e) {
      throw sqliteError(`corrupt profile ${JSON.stringify(id)}`, e);
    }
  };

  // Runs inside the group's IMMEDIATE transaction, which takes the write lock
  // before the read, so no other connection (or process) can slip a write
  // between our read and our write. A savepoint of its own (see groupCommit).
  const mergeTx = db.transaction((id: string, delta: Profile): Profile => {
    const current = read(id);
    const merged = current === undefined ? delta : mergeProfiles(current, delta);
    upsertProfile.run(id, codec.encode(merged), clock.now());
    return merged;
  });

  // Same lock as a merge, so a concurrent merge cannot be overwritten with older contents.
  const reencryptTx = db.transaction((id: string): boolean => {
    const row = selectProfile.get(id);
    if (row === undefined || !codec.stale?.(row.data)) return false;
    const p = read(id);
    if (p !== undefined) rewriteProfile.run(codec.encode(p), id);
    return true;
  });

  // Every operation but a merge first runs the writes queued before it (call order).
  const ordered = <T>(what: string, fn: () => T): T =>
    guard(what, () => {
      group.drain();
      return fn();
    });

  return {
    name: 'sqlite',
    async get(id) {
      return ordered('get', () => read(id));
    },
    merge(id, delta) {
      return group.write('merge', () => mergeTx(id, delta));
    },
    async delete(id) {
      ordered('delete', () => {
        deleteProfile.run(id);
        erased(db);
      });
    },
    async link(alias, canonical) {
      ordered('link', () => insertLink.run(alias, canonical));
    },
    async resolve(alias) {
      return ordered('resolve', () => selectCanonical.get(alias)?.canonical);
    },
    async aliases(canonical) {
      return ordered('aliases', () => selectAliases.all(canonical).map((r) => r.alias));
    },
    async unlink(id) {
      ordered('unlink', () => {
        deleteLinks.run(id, id);
        erased(db);
      });
    },
    async *ids() {
      // Read all first: an open iterator would hold the statement while callers write.
      yield* ordered('ids', () => selectIds.all().map((r) => r.id));
    },
    async reencrypt(id) {
      return ordered('reencrypt', () => reencryptTx.immediate(id));
    },
    async sweep(before) {
      return ordered('sweep', () => {
        const n = sweepTx.immediate(before);
        if (n > 0) erased(db);
        return n;
      });
    },
    close: onceCloser(closePart),
  };
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

function sqliteEventLog(db: Database, group: GroupCommit, closePart: () => void): EventLog {
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
