/**
 * The local durable spool: writes a node could not hand to a dependency
 * (the event log, the profile store) because it was down, kept in a SQLite
 * file under the data dir until they can be replayed, in order.
 *
 * Each entry belongs to one target (`log` or `store`); targets replay
 * independently, each strictly in the order its entries were spooled. An
 * entry is written with `synchronous = FULL` before `append` returns, so a
 * write the node acknowledged survives the process being killed.
 *
 * Entries hold visitor ids and events, so the file is owner-only, deleted
 * entries are zeroed (`secure_delete`), and once the spool is drained its WAL
 * is checkpointed and truncated: replayed (or erased) data leaves no copy.
 * @module
 */
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type { Spool, SpoolTarget } from '../../cluster/spool.js';
import { makePrivate, privateDir, privateFile, sqliteFiles } from '../../connections/private-files.js';
import { TesseraError } from '../../core/errors.js';

export type { Spool, SpoolEntry, SpoolTarget } from '../../cluster/spool.js';

type SqliteDriver = new (filename: string) => BetterSqlite3.Database;

function spoolError(message: string, cause?: unknown): TesseraError {
  return new TesseraError(500, `[tessera] [spool] ${message}`, { cause });
}

interface Row {
  seq: number;
  target: SpoolTarget;
  kind: string;
  visitor: string;
  body: Buffer;
  attempts: number;
}

export async function openSpool(path: string, driver?: SqliteDriver): Promise<Spool> {
  let Driver = driver;
  if (!Driver) {
    try {
      Driver = (await import('better-sqlite3')).default;
    } catch (e) {
      throw spoolError('cannot load better-sqlite3 (is it installed?)', e);
    }
  }
  let db: BetterSqlite3.Database;
  try {
    if (path !== ':memory:') {
      privateDir(dirname(path));
      privateFile(path);
    }
    db = new Driver(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('secure_delete = ON');
    db.exec(`CREATE TABLE IF NOT EXISTS spool (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      target TEXT NOT NULL,
      kind TEXT NOT NULL,
      visitor TEXT NOT NULL,
      body BLOB NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0
    )`);
    db.exec('CREATE INDEX IF NOT EXISTS spool_target ON spool (target, seq)');
    if (path !== ':memory:') makePrivate(...sqliteFiles(path));
  } catch (e) {
    throw spoolError(`cannot open ${path}: ${e instanceof Error ? e.message : String(e)}`, e);
  }
  const insert = db.prepare('INSERT INTO spool (target, kind, visitor, body) VALUES (?, ?, ?, ?)');
  const countAll = db.prepare('SELECT COUNT(*) AS n FROM spool');
  const countTarget = db.prepare('SELECT COUNT(*) AS n FROM spool WHERE target = ?');
  const oldest = db.prepare('SELECT * FROM spool WHERE target = ? ORDER BY seq LIMIT ?');
  const del = db.prepare('DELETE FROM spool WHERE seq = ?');
  const bump = db.prepare('UPDATE spool SET attempts = attempts + 1 WHERE seq = ?');
  let closed = false;
  /**
   * Targets known to have no entry. Every event-log append and store write asks whether its
   * target has entries waiting (the order rule in cluster/resilient.ts): a COUNT per call was a
   * visible share of ingest's CPU, and the answer is almost always "none". Only this node writes
   * its spool, so "none" holds until its own next `append`; a target with entries is counted.
   */
  const empty = new Set<SpoolTarget>();
  const open = (op: string) => {
    if (closed) throw spoolError(`${op}: the spool is closed`);
  };
  return {
    path,
    append(target, kind, visitor, body = new Uint8Array(0)) {
      open('append');
      empty.delete(target);
      return Number(insert.run(target, kind, visitor, Buffer.from(body)).lastInsertRowid);
    },
    pending(target) {
      if (closed) return 0;
      if (target && empty.has(target)) return 0;
      const row = (target ? countTarget.get(target) : countAll.get()) as { n: number };
      if (target && row.n === 0) empty.add(target);
      return row.n;
    },
    peek(target, limit) {
      open('peek');
      return (oldest.all(target, limit) as Row[]).map((r) => ({
        seq: r.seq,
        target: r.target,
        kind: r.kind,
        visitor: r.visitor,
        body: new Uint8Array(r.body.buffer, r.body.byteOffset, r.body.byteLength),
        attempts: r.attempts,
      }));
    },
    remove(seq) {
      open('remove');
      del.run(seq);
      if ((countAll.get() as { n: number }).n === 0) db.pragma('wal_checkpoint(TRUNCATE)');
    },
    failed(seq) {
      open('failed');
      bump.run(seq);
    },
    close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}
