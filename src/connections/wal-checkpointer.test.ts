/**
 * The embedded store's WAL is copied into the database file by a worker
 * thread, not by the commit that happens to fill it: after a few hundred
 * pages of events (well under the main connection's backstop checkpoint and
 * SQLite's default one) the database file holds them, with the main thread
 * idle. An erasure still leaves the WAL truncated, and close stops the worker.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyProfile } from '../core/profile/index.js';
import type { LoggedEvent } from '../core/types.js';
import type { Stores } from '../profiles/port.js';
import { createSqliteStore } from '../profiles/sqlite.js';

let dir: string;
let path: string;
let stores: Stores;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-wal-'));
  path = join(dir, 'tessera.db');
  stores = await createSqliteStore({ path });
});

afterEach(async () => {
  await stores.close();
  rmSync(dir, { recursive: true, force: true });
});

const events = (batch: number, n: number): LoggedEvent[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `e${batch}-${i}`,
    type: 'view',
    ts: 1_700_000_000_000 + i,
    item: `item-${i % 500}-${'x'.repeat(40)}`,
    visitor: `visitor-${(batch * 31 + i) % 2000}`,
    node: 'n1',
    received: 1_700_000_000_000 + i,
  }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function untilDatabaseHolds(bytes: number): Promise<number> {
  let size = statSync(path).size;
  for (let i = 0; i < 100 && size < bytes; i++) {
    await sleep(20);
    size = statSync(path).size;
  }
  return size;
}

describe('WAL checkpoints in a worker', () => {
  it('copies committed pages into the database file without a checkpoint on the main connection', async () => {
    const before = statSync(path).size;
    // About 2 MiB of rows and index: 500 or so pages, in 40 commits (under 1,000 pages, so no
    // automatic checkpoint of SQLite's would have run either).
    for (let b = 0; b < 40; b++) await stores.events.append(events(b, 250));
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(1024 * 1024);
    const after = await untilDatabaseHolds(before + 1024 * 1024);
    expect(after).toBeGreaterThan(before + 1024 * 1024);
  });

  it('still truncates the WAL after an erasure while the worker checkpoints', async () => {
    for (let b = 0; b < 20; b++) await stores.events.append(events(b, 250));
    await stores.profiles.merge('visitor-1', emptyProfile(1_700_000_000_000));
    await stores.profiles.delete('visitor-1');
    expect(statSync(`${path}-wal`).size).toBe(0);
  });

  it('stops the worker on close, and the file reopens with every event', async () => {
    for (let b = 0; b < 10; b++) await stores.events.append(events(b, 100));
    await stores.close();
    stores = await createSqliteStore({ path });
    let n = 0;
    let cursor = 0;
    for (;;) {
      const page = await stores.events.read(cursor, 500);
      n += page.events.length;
      if (page.events.length === 0) break;
      cursor = page.cursor;
    }
    expect(n).toBe(1000);
  });
});
