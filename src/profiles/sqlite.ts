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

import {
  type Database,
  erased,
  type GroupCommit,
  groupCommit,
  guard,
  onceCloser,
  openSqlite,
  type SqliteDriver,
  sqliteError,
} from '../connections/sqlite.js';
import { startWalCheckpointer } from '../connections/wal-checkpointer.js';
import { LruCache } from '../core/cache/index.js';
import { type Clock, type ProfileStore, systemClock } from '../core/ports.js';
import { mergeProfiles, type ProfileCodec, plainProfileCodec } from '../core/profile/index.js';
import type { Profile } from '../core/types.js';
import { sqliteEventLog } from '../logs/sqlite.js';
import type { Stores } from './port.js';

// The `tessera/stores/sqlite` subpath has always exported the driver type.
export type { SqliteDriver } from '../connections/sqlite.js';

/** Decoded profiles kept beside the bytes this connection wrote last (see `written`). */
const WRITTEN_MEMO_ENTRIES = 20_000;

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

export async function createSqliteStore(opts: SqliteStoreOptions): Promise<Stores> {
  const clock = opts.clock ?? systemClock;
  const db = await openSqlite(opts.path, opts.driver);
  const group = groupCommit(db);
  // The WAL's checkpoints run off the event loop (see wal-checkpointer.ts); an injected driver
  // (a bundle, a test double) may not be the better-sqlite3 a worker can load: SQLite's own then.
  const stopCheckpoints = opts.driver ? async () => {} : startWalCheckpointer(db, opts.path);
  let checkpointsStopped: Promise<void> = Promise.resolve();
  // Each part closes independently; the connection closes when both have.
  let openParts = 2;
  const closePart = () => {
    group.drain();
    openParts -= 1;
    if (openParts === 0) {
      checkpointsStopped = stopCheckpoints();
      guard('close', () => db.close());
    }
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
      await checkpointsStopped;
    },
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
  const holdsBytes = db.prepare<[Uint8Array, string], { same: number }>(
    'SELECT data = ? AS same FROM profiles WHERE id = ?',
  );
  const upsertProfile = db.prepare<[string, Uint8Array, number]>(
    `INSERT INTO profiles (id, data, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`,
  );
  const rewriteProfile = db.prepare<[Uint8Array, string]>('UPDATE profiles SET data = ? WHERE id = ?');
  const selectIds = db.prepare<[], { id: string }>('SELECT id FROM profiles ORDER BY id');
  // Keyset paging on (updated_at, id): each page is one range of profiles_by_change, however
  // large the table and however few profiles changed. The cursor is the last row's `at:id`.
  const selectChangedFirst = db.prepare<[number, number], { id: string; at: number }>(
    'SELECT id, updated_at AS at FROM profiles WHERE updated_at >= ? ORDER BY updated_at, id LIMIT ?',
  );
  const selectChangedNext = db.prepare<[number, string, number], { id: string; at: number }>(
    'SELECT id, updated_at AS at FROM profiles WHERE (updated_at, id) > (?, ?) ORDER BY updated_at, id LIMIT ?',
  );
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

  // The profiles this connection wrote last, decoded, with their bytes: the next merge of the
  // same visitor (write-behind writes every changed visitor again and again) skips the
  // decryption and decoding when the row still holds exactly those bytes. Profiles are values
  // (no one changes one after it is stored), so the decoded copy stays what the bytes say.
  const written = new LruCache<string, { bytes: Uint8Array; profile: Profile }>({
    maxEntries: WRITTEN_MEMO_ENTRIES,
  });
  const stored = (id: string): Profile | undefined => {
    const memo = written.get(id);
    // SQLite compares the row with the memo's bytes in place: no copy of the row into a Buffer.
    if (memo && holdsBytes.get(memo.bytes, id)?.same === 1) return memo.profile;
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
  // between our read and our write. Its one write is the upsert, a single
  // statement: a merge that fails (a corrupt row, a profile over the size cap)
  // has written nothing, so it needs no savepoint of its own (see groupCommit).
  // `over`: the caller folded `delta` from a profile this function returned; when the row still
  // holds exactly it (the memo's very object), the merge would give `delta` back (ports.ts).
  const mergeTx = (id: string, delta: Profile, over: Profile | undefined): Profile => {
    const current = stored(id);
    const merged =
      current === undefined || (over !== undefined && current === over)
        ? delta
        : mergeProfiles(current, delta);
    const bytes = codec.encode(merged);
    upsertProfile.run(id, bytes, clock.now());
    written.set(id, { bytes, profile: merged });
    return merged;
  };

  // Same lock as a merge, so a concurrent merge cannot be overwritten with older contents.
  const reencryptTx = db.transaction((id: string): boolean => {
    const row = selectProfile.get(id);
    if (row === undefined || !codec.stale?.(row.data)) return false;
    const p = read(id);
    if (p !== undefined) rewriteProfile.run(codec.encode(p), id);
    return true;
  });

  // Every operation but a merge (and a read of a profile no queued merge writes) first runs
  // the writes queued before it (call order).
  const ordered = <T>(what: string, fn: () => T): T =>
    guard(what, () => {
      group.drain();
      return fn();
    });

  return {
    name: 'sqlite',
    async get(id) {
      // Waits only for a merge of this very profile (see groupCommit): the rest cannot change it.
      return guard('get', () => {
        if (group.queued(id)) group.drain();
        return read(id);
      });
    },
    merge(id, delta, opts) {
      const over = opts?.over;
      return group.write('merge', () => mergeTx(id, delta, over), id);
    },
    async delete(id) {
      ordered('delete', () => {
        written.delete(id);
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
    async changedSince(since, cursor, limit) {
      const rows = ordered('changedSince', () => {
        if (cursor === undefined) return selectChangedFirst.all(since, limit);
        const colon = cursor.indexOf(':');
        return selectChangedNext.all(Number(cursor.slice(0, colon)), cursor.slice(colon + 1), limit);
      });
      const last = rows[rows.length - 1];
      return {
        ids: rows.map((r) => r.id),
        cursor: last && rows.length === limit ? `${last.at}:${last.id}` : undefined,
      };
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
        written.clear();
        const n = sweepTx.immediate(before);
        if (n > 0) erased(db);
        return n;
      });
    },
    close: onceCloser(closePart),
  };
}
