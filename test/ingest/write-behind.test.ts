/**
 * Profiles written behind ingest (the Node app with its embedded store):
 * coalesced per visitor, read-your-writes on the node, erasure that cancels
 * a pending write, and a close that flushes. A real SQLite store under the
 * service; a gate on `merge` holds a write in flight where a test needs one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src/core/config.js';
import { createKeyRing } from '../../src/core/identity/index.js';
import type { ProfileStore } from '../../src/core/ports.js';
import { silentLogger } from '../../src/core/ports.js';
import { ProfileService } from '../../src/core/profile-service.js';
import type { TesseraEvent } from '../../src/core/types.js';
import type { Stores } from '../../src/profiles/port.js';
import { createSqliteStore } from '../../src/profiles/sqlite.js';

const DELAY_MS = 40;
let dir: string;
let sqlite: Stores;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-write-behind-'));
  sqlite = await createSqliteStore({ path: join(dir, 'tessera.db') });
});

afterEach(async () => {
  await sqlite.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The service over the SQLite store, counting merges; `hold()` keeps the next merges waiting until released. */
function service() {
  const merges: string[] = [];
  const reads: string[] = [];
  let gate: Promise<void> | undefined;
  let open: () => void = () => {};
  const store: ProfileStore = {
    ...sqlite.profiles,
    name: 'sqlite',
    get: (id) => {
      reads.push(id);
      return sqlite.profiles.get(id);
    },
    delete: (id) => sqlite.profiles.delete(id),
    unlink: (id) => sqlite.profiles.unlink(id),
    async merge(id, delta) {
      merges.push(id);
      if (gate) await gate;
      return sqlite.profiles.merge(id, delta);
    },
  };
  const svc = new ProfileService({
    settings: { ...DEFAULT_SETTINGS, secret: 'w'.repeat(32), nodeId: 'node-wb' },
    ring: createKeyRing('w'.repeat(32)),
    store,
    log: sqlite.events,
    logger: silentLogger,
    now: Date.now,
    item: (id) => ({ id, title: id, category: 'running', brand: 'b', price: 1, tags: [], in_stock: true }),
    writeBehindMs: DELAY_MS,
  });
  return {
    svc,
    merges,
    reads,
    hold() {
      gate = new Promise<void>((r) => {
        open = r;
      });
    },
    release() {
      gate = undefined;
      open();
    },
  };
}

const clicks = (batch: number, n = 5): TesseraEvent[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `b${batch}-e${i}`,
    type: 'click',
    ts: Date.now(),
    item: `p-${batch * n + i}`,
  }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('profiles written behind ingest', () => {
  it('coalesces batches of one visitor into fewer store writes, and the stored profile equals the one in memory', async () => {
    const { svc, merges } = service();
    for (let b = 0; b < 10; b++) await svc.ingest('visitor-1', clicks(b));
    await svc.flush();
    expect(merges.length).toBeGreaterThanOrEqual(1);
    expect(merges.length).toBeLessThan(10);
    const inMemory = (await svc.load('visitor-1'))!.profile;
    expect(await sqlite.profiles.get('visitor-1')).toEqual(inMemory);
    expect(await sqlite.events.count()).toBe(50);
  });

  it('has the events in the log when ingest resolves, and the next decision on the node sees them before the store does', async () => {
    const { svc } = service();
    await svc.ingest('visitor-2', clicks(0, 3));
    expect(await sqlite.events.count()).toBe(3);
    expect(await sqlite.profiles.get('visitor-2')).toBeUndefined();
    const next = await svc.forDecision('visitor-2', undefined);
    expect(next.source).toBe('cache');
    expect(next.entry?.profile.recent.map((r) => r.item).sort()).toEqual(['p-0', 'p-1', 'p-2']);
    // Evicted from the cache before its write: still read from what waits to be written.
    svc.cache.delete('visitor-2');
    expect((await svc.load('visitor-2'))?.profile.recent).toHaveLength(3);
    await svc.flush();
    expect((await sqlite.profiles.get('visitor-2'))?.recent).toHaveLength(3);
  });

  it('lets the engine’s store reads see a profile still waiting to be written', async () => {
    const { svc } = service();
    await svc.ingest('visitor-3', clicks(0, 2));
    expect((await svc.store.get('visitor-3'))?.recent).toHaveLength(2);
  });

  it('cancels a queued write on erasure: the profile never comes back', async () => {
    const { svc, merges } = service();
    await svc.ingest('visitor-4', clicks(0));
    await svc.erase('visitor-4');
    await sleep(DELAY_MS * 3);
    await svc.flush();
    // The erasure's own tombstone (under a keyed hash, privacy/tombstones.ts) is the only write.
    expect(merges.filter((id) => !id.startsWith('erased:'))).toEqual([]);
    expect(await sqlite.profiles.get('visitor-4')).toBeUndefined();
    expect(await svc.load('visitor-4')).toBeUndefined();
  });

  it('lets a write already in flight land before the erasure deletes, never after it', async () => {
    const t = service();
    const changes: string[] = [];
    t.svc.onChange((c) => changes.push('erased' in c ? 'erased' : 'profile'));
    await t.svc.ingest('visitor-5', clicks(0));
    t.hold();
    await t.svc.ingest('visitor-5', clicks(1));
    await sleep(DELAY_MS * 3); // the write has started and waits on the gate
    expect(t.merges).toEqual(['visitor-5']);
    const erasing = t.svc.erase('visitor-5');
    await sleep(10);
    t.release();
    await erasing;
    await sleep(DELAY_MS * 3);
    await t.svc.flush();
    expect(await sqlite.profiles.get('visitor-5')).toBeUndefined();
    expect(await t.svc.load('visitor-5')).toBeUndefined();
    // The disowned write is not announced to other nodes after the tombstone.
    expect(changes).toEqual(['erased']);
  });

  it('flushes on close: what was ingested is in the file after a reopen', async () => {
    const { svc } = service();
    await svc.ingest('visitor-6', clicks(0, 4));
    await svc.flush();
    await sqlite.close();
    sqlite = await createSqliteStore({ path: join(dir, 'tessera.db') });
    expect((await sqlite.profiles.get('visitor-6'))?.recent).toHaveLength(4);
  });

  it('writes at most once per visitor in flight, then once more with everything that came meanwhile', async () => {
    const t = service();
    await t.svc.ingest('visitor-7', clicks(0, 2));
    t.hold();
    await sleep(DELAY_MS * 3);
    expect(t.merges).toEqual(['visitor-7']);
    for (let b = 1; b < 5; b++) await t.svc.ingest('visitor-7', clicks(b, 2));
    await sleep(DELAY_MS * 3);
    expect(t.merges).toEqual(['visitor-7']);
    t.release();
    await t.svc.flush();
    expect(t.merges).toEqual(['visitor-7', 'visitor-7']);
    expect((await sqlite.profiles.get('visitor-7'))?.recent).toHaveLength(10);
  });

  it('reads a visitor’s tombstone once, and refuses their events right after an erasure', async () => {
    const t = service();
    const tombstoneReads = () => t.reads.filter((id) => id.startsWith('erased:')).length;
    for (let b = 0; b < 4; b++) expect((await t.svc.ingest('visitor-8', clicks(b, 2))).applied).toBe(2);
    // This node writes its store alone: a live id stays live until an erasure here.
    expect(tombstoneReads()).toBe(1);
    await t.svc.erase('visitor-8');
    const after = await t.svc.ingest('visitor-8', clicks(9, 2));
    expect(after.applied).toBe(0);
    expect(tombstoneReads()).toBe(2);
    await t.svc.flush();
    expect(await sqlite.profiles.get('visitor-8')).toBeUndefined();
    expect(await sqlite.events.count()).toBe(0);
  });

  it('refuses the events of a visitor another node erased, once the tombstone arrives', async () => {
    const t = service();
    await t.svc.ingest('visitor-9', clicks(0, 2));
    // What cluster sync does with a tombstone from the bus: the same erasure path, `remote`.
    await t.svc.erase('visitor-9', { remote: true });
    expect((await t.svc.ingest('visitor-9', clicks(1, 2))).applied).toBe(0);
    await t.svc.flush();
    expect(await sqlite.profiles.get('visitor-9')).toBeUndefined();
  });
});
