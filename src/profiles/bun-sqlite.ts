/**
 * Profiles and identity links in SQLite through Bun's built-in `bun:sqlite`
 * (the embedded store of the Bun runtime; better-sqlite3 is a Node addon).
 *
 * `merge` is optimistic: read the row and its version token, merge with the
 * CRDT `mergeProfiles` outside any transaction (the codec is asynchronous:
 * WebCrypto AES-GCM), then write only if the token is unchanged
 * (`UPDATE … WHERE v = ?`, or `INSERT … ON CONFLICT DO NOTHING` for a new
 * row); another process on the same file makes the write miss and the merge
 * retries on what it wrote. Tokens are random, so a profile deleted and
 * written again never looks like the version a slow merge read. Merges to
 * one id are serialised in the process, so misses only come from elsewhere.
 *
 * The database handle is structural (`BunDatabaseLike`): the driver never
 * imports `bun:sqlite`, so it bundles and type-checks anywhere; the Bun
 * runtime wiring opens the file and passes it in.
 * @module
 */
import { TesseraError } from '../core/errors.js';
import { KeyedMutex } from '../core/keyed-mutex.js';
import type { ProfileStore } from '../core/ports.js';
import { mergeProfiles } from '../core/profile/index.js';
import { type AsyncProfileCodec, plainAsyncProfileCodec } from './async-profile-codec.js';

type Binding = string | number | bigint | Uint8Array | null;

/** The part of `bun:sqlite`'s `Database` this driver uses. */
export interface BunDatabaseLike {
  exec(sql: string): void;
  query(sql: string): {
    get(...params: Binding[]): unknown;
    all(...params: Binding[]): unknown[];
    run(...params: Binding[]): { changes: number };
  };
  close(): void;
}

export interface BunSqliteProfileStoreOptions {
  db: BunDatabaseLike;
  /** Conflicting writes from other processes tolerated by one merge (default 16). */
  maxMergeAttempts?: number;
  codec?: AsyncProfileCodec;
  now?: () => number;
}

const NAME = 'bun-sqlite';

const SCHEMA = `
PRAGMA journal_mode = WAL;
PRAGMA busy_timeout = 5000;
CREATE TABLE IF NOT EXISTS profiles (id TEXT PRIMARY KEY, data BLOB NOT NULL, v INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS profiles_updated ON profiles (updated_at, id);
CREATE TABLE IF NOT EXISTS links (alias TEXT PRIMARY KEY, canonical TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS links_canonical ON links (canonical);
`;

function sqlError(what: string, cause: unknown): TesseraError {
  return new TesseraError(500, `[tessera] [${NAME}] ${what} failed`, { cause });
}

/** A random 48-bit version token (an integer SQLite keeps exactly). */
function token(): number {
  const b = crypto.getRandomValues(new Uint16Array(3));
  return b[0]! * 2 ** 32 + b[1]! * 2 ** 16 + b[2]!;
}

export function createBunSqliteProfileStore(o: BunSqliteProfileStoreOptions): ProfileStore {
  const { db } = o;
  const attempts = o.maxMergeAttempts ?? 16;
  const codec = o.codec ?? plainAsyncProfileCodec;
  const now = o.now ?? Date.now;
  const mutex = new KeyedMutex();
  try {
    db.exec(SCHEMA);
  } catch (e) {
    throw sqlError('open', e);
  }
  const q = {
    get: db.query('SELECT data, v FROM profiles WHERE id = ?'),
    insert: db.query(
      'INSERT INTO profiles (id, data, v, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO NOTHING',
    ),
    update: db.query('UPDATE profiles SET data = ?, v = ?, updated_at = ? WHERE id = ? AND v = ?'),
    delete: db.query('DELETE FROM profiles WHERE id = ?'),
    link: db.query(
      'INSERT INTO links (alias, canonical) VALUES (?, ?) ON CONFLICT(alias) DO UPDATE SET canonical = excluded.canonical',
    ),
    resolve: db.query('SELECT canonical FROM links WHERE alias = ?'),
    aliases: db.query('SELECT alias FROM links WHERE canonical = ? ORDER BY alias'),
    unlink: db.query('DELETE FROM links WHERE alias = ?1 OR canonical = ?1'),
    changed: db.query('SELECT id FROM profiles WHERE updated_at >= ? AND id > ? ORDER BY id LIMIT ?'),
    ids: db.query('SELECT id FROM profiles ORDER BY id'),
  };

  function row(id: string): { data: Uint8Array; v: number } | undefined {
    try {
      return (q.get.get(id) as { data: Uint8Array; v: number } | null) ?? undefined;
    } catch (e) {
      throw sqlError(`get "${id}"`, e);
    }
  }

  async function decode(id: string, bytes: Uint8Array) {
    try {
      return await codec.decode(new Uint8Array(bytes));
    } catch (e) {
      throw new TesseraError(500, `[tessera] [${NAME}] corrupt profile "${id}"`, { cause: e });
    }
  }

  return {
    name: NAME,
    async get(id) {
      const r = row(id);
      return r ? decode(id, r.data) : undefined;
    },
    merge(id, delta) {
      return mutex.run(id, async () => {
        for (let i = 0; i < attempts; i++) {
          const r = row(id);
          const merged = r ? mergeProfiles(await decode(id, r.data), delta) : delta;
          const bytes = await codec.encode(merged);
          let changes: number;
          try {
            changes = r
              ? q.update.run(bytes, token(), now(), id, r.v).changes
              : q.insert.run(id, bytes, token(), now()).changes;
          } catch (e) {
            throw sqlError(`merge "${id}"`, e);
          }
          if (changes === 1) return merged;
        }
        throw new TesseraError(
          503,
          `[tessera] [${NAME}] merge "${id}" gave up after ${attempts} conflicting writes`,
        );
      });
    },
    delete(id) {
      return mutex.run(id, async () => {
        try {
          q.delete.run(id);
        } catch (e) {
          throw sqlError(`delete "${id}"`, e);
        }
      });
    },
    async link(alias, canonical) {
      q.link.run(alias, canonical);
    },
    async resolve(alias) {
      return (q.resolve.get(alias) as { canonical: string } | null)?.canonical ?? undefined;
    },
    async aliases(canonical) {
      return (q.aliases.all(canonical) as Array<{ alias: string }>).map((r) => r.alias);
    },
    async unlink(id) {
      q.unlink.run(id);
    },
    async changedSince(since, cursor, limit) {
      const ids = (q.changed.all(since, cursor ?? '', limit) as Array<{ id: string }>).map((r) => r.id);
      return { ids, cursor: ids.length < limit ? undefined : ids[ids.length - 1] };
    },
    async *ids() {
      for (const r of q.ids.all() as Array<{ id: string }>) yield r.id;
    },
    async close() {
      db.close();
    },
  };
}
