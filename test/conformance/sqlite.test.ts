import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TesseraError } from '../../src/core/errors.js';
import { createSqliteStore } from '../../src/profiles/sqlite.js';
import { testEventLog } from './event-log.js';
import { canonical, delta, logged, recentItems } from './fixtures.js';
import { testProfileStore } from './profile-store.js';

/** A fresh database file in a nested directory that does not exist yet. */
function tempDbPath(): { path: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-sqlite-'));
  return {
    path: join(dir, 'nested', '.tessera', 'store.db'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

testProfileStore('sqlite', async () => {
  const tmp = tempDbPath();
  const store = await createSqliteStore({ path: tmp.path });
  return {
    profiles: store.profiles,
    async cleanup() {
      await store.close();
      tmp.remove();
    },
  };
});

testEventLog('sqlite', async () => {
  const tmp = tempDbPath();
  const store = await createSqliteStore({ path: tmp.path });
  return {
    events: store.events,
    async cleanup() {
      await store.close();
      tmp.remove();
    },
  };
});

describe('sqlite store', () => {
  let tmp: ReturnType<typeof tempDbPath>;
  beforeEach(() => {
    tmp = tempDbPath();
  });
  afterEach(() => {
    tmp.remove();
  });

  it('keeps profiles, links and events across close and reopen', async () => {
    const d = delta('node-a', 'sku-1');
    const first = await createSqliteStore({ path: tmp.path });
    await first.profiles.merge('v1', d);
    await first.profiles.link('anon-1', 'v1');
    await first.events.append([logged('v1', 'e1'), logged('v1', 'e2')]);
    const { cursor } = await first.events.read(0, 10);
    await first.close();

    const second = await createSqliteStore({ path: tmp.path });
    expect(canonical(await second.profiles.get('v1'))).toEqual(canonical(d));
    expect(await second.profiles.resolve('anon-1')).toBe('v1');
    expect(await second.events.count()).toBe(2);
    expect(await second.events.append([logged('v1', 'e2'), logged('v1', 'e3')])).toHaveLength(1);
    const page = await second.events.read(cursor, 10);
    expect(page.events.map((e) => e.id)).toEqual(['e3']);
    await second.close();
  });

  it('never reuses a sequence number, even after the newest events are deleted and the file reopened', async () => {
    const first = await createSqliteStore({ path: tmp.path });
    await first.events.append([logged('v1', 'e1'), logged('v2', 'e2')]);
    const { cursor } = await first.events.read(0, 10);
    await first.events.deleteVisitor('v2');
    await first.close();
    const second = await createSqliteStore({ path: tmp.path });
    await second.events.append([logged('v3', 'e3')]);
    expect((await second.events.read(cursor, 10)).events.map((e) => e.id)).toEqual(['e3']);
    await second.close();
  });

  it('logs a batch in one transaction: a failure midway leaves none of its events, other batches keep theirs', async () => {
    const store = await createSqliteStore({ path: tmp.path });
    // The failure, injected where SQLite raises it: a trigger refusing one event id.
    const raw = new Database(tmp.path);
    raw.exec(`CREATE TRIGGER refuse_boom BEFORE INSERT ON events WHEN NEW.id = 'boom'
              BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
    raw.close();
    // Both batches are called in the same loop turn, so they share one group commit.
    const [bad, good] = await Promise.allSettled([
      store.events.append([logged('v1', 'a1'), logged('v1', 'a2'), logged('v1', 'boom'), logged('v1', 'a4')]),
      store.events.append([logged('v2', 'b1'), logged('v2', 'b2')]),
    ]);
    expect(bad.status).toBe('rejected');
    expect(String((bad as PromiseRejectedResult).reason)).toMatch(
      /\[tessera\] \[sqlite\] append: injected failure/,
    );
    expect(good.status).toBe('fulfilled');
    const { events } = await store.events.read(0, 100);
    expect(events.map((e) => `${e.visitor}/${e.id}`)).toEqual(['v2/b1', 'v2/b2']);
    await store.close();
  });

  it('has a batch in the file once its append resolves, and applies calls in the order they were made', async () => {
    const store = await createSqliteStore({ path: tmp.path });
    const appended = store.events.append([logged('v1', 'e1'), logged('v1', 'e2')]);
    const merged = store.profiles.merge('v1', delta('node-a', 'sku-1'));
    // Called after the merge, in the same turn: the delete must not be overtaken by it.
    const deleted = store.profiles.delete('v1');
    await Promise.all([appended, merged, deleted]);
    const raw = new Database(tmp.path, { readonly: true });
    expect((raw.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n).toBe(2);
    raw.close();
    expect(await store.profiles.get('v1')).toBeUndefined();
    await store.close();
  });

  it('lets a read see a merge of its profile called before it, without committing the turn for other reads', async () => {
    const store = await createSqliteStore({ path: tmp.path });
    const appended = store.events.append([logged('v1', 'e1')]);
    const merged = store.profiles.merge('v1', delta('node-a', 'sku-1'));
    // Another profile: nothing queued writes it, so the turn's writes stay grouped.
    expect(await store.profiles.get('v2')).toBeUndefined();
    const raw = new Database(tmp.path, { readonly: true });
    const logged0 = (raw.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
    // The merged profile itself: read after the merge it was called after.
    expect(recentItems(await store.profiles.get('v1'))).toEqual(['sku-1']);
    await Promise.all([appended, merged]);
    expect(logged0).toBe(0);
    expect((raw.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n).toBe(1);
    raw.close();
    await store.close();
  });

  it('merges into what another connection wrote since this one last wrote the profile', async () => {
    const a = await createSqliteStore({ path: tmp.path });
    const b = await createSqliteStore({ path: tmp.path });
    await a.profiles.merge('v1', delta('node-a', 'sku-a'));
    await b.profiles.merge('v1', delta('node-b', 'sku-b'));
    const merged = await a.profiles.merge('v1', delta('node-a', 'sku-c'));
    expect(recentItems(merged)).toEqual(['sku-a', 'sku-b', 'sku-c']);
    expect(recentItems(await b.profiles.get('v1'))).toEqual(['sku-a', 'sku-b', 'sku-c']);
    await a.close();
    await b.close();
  });

  it('opens the database in WAL mode', async () => {
    const store = await createSqliteStore({ path: tmp.path });
    await store.profiles.merge('v1', delta('node-a', 'sku-1'));
    const raw = new Database(tmp.path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
    await store.close();
  });

  it('sees merges made through another connection to the same file', async () => {
    const a = await createSqliteStore({ path: tmp.path });
    const b = await createSqliteStore({ path: tmp.path });
    await Promise.all([
      a.profiles.merge('v1', delta('node-a', 'sku-a')),
      b.profiles.merge('v1', delta('node-b', 'sku-b')),
    ]);
    expect(recentItems(await a.profiles.get('v1'))).toEqual(['sku-a', 'sku-b']);
    await a.close();
    await b.close();
  });

  it('uses an injected better-sqlite3 constructor instead of importing one', async () => {
    const opened: string[] = [];
    class Injected extends Database {
      constructor(filename: string) {
        opened.push(filename);
        super(filename);
      }
    }
    const store = await createSqliteStore({ path: tmp.path, driver: Injected });
    expect(opened).toEqual([tmp.path]);
    await store.close();
  });

  it('stores updated_at from the injected clock', async () => {
    const store = await createSqliteStore({ path: tmp.path, clock: { now: () => 42 } });
    await store.profiles.merge('v1', delta('node-a', 'sku-1'));
    await store.close();
    const raw = new Database(tmp.path, { readonly: true });
    expect(raw.prepare('SELECT updated_at FROM profiles').get()).toEqual({ updated_at: 42 });
    raw.close();
  });

  it('closes the connection only when both parts are closed', async () => {
    const store = await createSqliteStore({ path: tmp.path });
    await store.profiles.close();
    expect(await store.events.count()).toBe(0);
    await store.events.close();
    await expect(store.events.count()).rejects.toThrow(/^\[tessera\] \[sqlite\] count/);
    await store.close();
  });

  it('reports a corrupt stored profile as a sqlite error with the cause', async () => {
    const store = await createSqliteStore({ path: tmp.path });
    const raw = new Database(tmp.path);
    raw
      .prepare('INSERT INTO profiles (id, data, updated_at) VALUES (?, ?, 0)')
      .run('bad', Buffer.from('garbage'));
    raw.close();
    const error = await store.profiles.get('bad').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TesseraError);
    expect((error as TesseraError).message).toMatch(/^\[tessera\] \[sqlite\] corrupt profile "bad"/);
    expect((error as TesseraError).cause).toBeDefined();
    await store.close();
  });

  it('fails to open with a sqlite error when the path cannot be a file', async () => {
    const blocker = join(dirname(tmp.path), 'blocker');
    mkdirSync(dirname(blocker), { recursive: true });
    writeFileSync(blocker, 'not a directory');
    await expect(createSqliteStore({ path: join(blocker, 'store.db') })).rejects.toThrow(
      /^\[tessera\] \[sqlite\] cannot open/,
    );
  });

  it('refuses a database written with a newer schema, and says why', async () => {
    await (await createSqliteStore({ path: tmp.path })).close();
    const raw = new Database(tmp.path);
    raw.pragma('user_version = 99');
    raw.close();
    await expect(createSqliteStore({ path: tmp.path })).rejects.toThrow(/schema version 99 is newer/);
  });
});
