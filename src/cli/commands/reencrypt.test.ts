/**
 * Key rotation end to end: a profile written under k1 stays readable once k2
 * is current, `reencrypt` rewrites it under k2, and then a ring without k1
 * reads it. For SQLite (through the CLI command, bytes checked in the file),
 * memory and Redis (the real server).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { REDIS_URL, requireRedis, uniquePrefix } from '../../../test/helpers/services.js';
import type { KeyRingInput } from '../../core/identity/keys.js';
import { applyEvent, emptyProfile, type ProfileCodec } from '../../core/profile/index.js';
import type { Profile } from '../../core/types.js';
import { blobKeyId, createEncryptedProfileCodec } from '../../profiles/encrypted-codec.js';
import { createMemoryStore } from '../../profiles/memory.js';
import { createRedisStore } from '../../profiles/redis.js';
import { createSqliteStore } from '../../profiles/sqlite.js';
import { reencryptCommand, reencryptProfiles } from './reencrypt.js';

const S1 = 'rotation-secret-one-0123456789abcdef';
const S2 = 'rotation-secret-two-0123456789abcdef';
const K1: KeyRingInput = { secrets: { k1: S1 }, current: 'k1' };
const K12: KeyRingInput = { secrets: { k1: S1, k2: S2 }, current: 'k2' };
const K2: KeyRingInput = { secrets: { k2: S2 }, current: 'k2' };
const NOW = 1_700_000_000_000;
const ITEM = 'sku-rotation-private-77';

const viewed = (item: string): Profile =>
  applyEvent(
    emptyProfile(NOW),
    { id: `e-${item}`, type: 'view', ts: NOW, item },
    { node: 'n1', at: { p: NOW, l: 0, n: 'n1' }, halfLifeMs: 1000 },
  );
const items = (p: Profile | undefined) => p?.recent.map((r) => r.item);

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tmpDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-rotate-'));
  dirs.push(dir);
  return join(dir, 'tessera.db');
}

/** Every byte SQLite keeps, after folding the WAL into the main file. */
function rawFile(path: string): Buffer {
  const db = new Database(path);
  db.pragma('wal_checkpoint(TRUNCATE)');
  const rows = db.prepare('SELECT id, data FROM profiles').all() as { id: string; data: Buffer }[];
  db.close();
  return Buffer.concat([readFileSync(path), ...rows.map((r) => r.data)]);
}

function storedKids(path: string): (string | undefined)[] {
  const db = new Database(path);
  const rows = db.prepare('SELECT data FROM profiles ORDER BY id').all() as { data: Buffer }[];
  db.close();
  return rows.map((r) => blobKeyId(r.data));
}

describe('key rotation on SQLite', () => {
  it('reads k1 profiles under k2, re-encrypts them with the command, then needs no k1', async () => {
    const path = tmpDb();
    const before = await createSqliteStore({ path, codec: createEncryptedProfileCodec(K1) });
    await before.profiles.merge('v1', viewed(ITEM));
    await before.profiles.merge('v2', viewed('sku-other'));
    await before.close();
    expect(storedKids(path)).toEqual(['k1', 'k1']);

    const rotated = await createSqliteStore({ path, codec: createEncryptedProfileCodec(K12) });
    expect(items(await rotated.profiles.get('v1'))).toEqual([ITEM]);
    await rotated.close();

    const lines: string[] = [];
    const keys = `k1:${S1},k2:${S2}`;
    const r = await reencryptCommand({ dataDir: join(path, '..'), store: `sqlite:${path}`, keys }, (l) =>
      lines.push(l),
    );
    expect(r).toEqual({ scanned: 2, rewritten: 2 });
    expect(lines).toEqual(['re-encrypted 2 of 2 profiles under key "k2"']);
    expect(storedKids(path)).toEqual(['k2', 'k2']);
    // Nothing left to do: a second run rewrites nothing.
    expect(await reencryptCommand({ dataDir: '.', store: `sqlite:${path}`, keys }, () => {})).toEqual({
      scanned: 2,
      rewritten: 0,
    });

    const k2only = await createSqliteStore({ path, codec: createEncryptedProfileCodec(K2) });
    expect(items(await k2only.profiles.get('v1'))).toEqual([ITEM]);
    expect(items(await k2only.profiles.get('v2'))).toEqual(['sku-other']);
    await k2only.close();
    expect(rawFile(path).includes(Buffer.from(ITEM))).toBe(false);
  });

  it('keeps no plaintext item id in the file, and encrypts a plain store on re-encryption', async () => {
    const path = tmpDb();
    const plain = await createSqliteStore({ path });
    await plain.profiles.merge('legacy', viewed(ITEM));
    await plain.close();
    expect(rawFile(path).includes(Buffer.from(ITEM))).toBe(true);

    const enc = await createSqliteStore({ path, codec: createEncryptedProfileCodec(K1) });
    expect(items(await enc.profiles.get('legacy'))).toEqual([ITEM]);
    expect(await reencryptProfiles(enc.profiles)).toEqual({ scanned: 1, rewritten: 1 });
    await enc.profiles.merge('fresh', viewed(`${ITEM}-b`));
    await enc.close();
    expect(storedKids(path)).toEqual(['k1', 'k1']);
    // secure_delete zeroes the old plain row; the checkpoint folds the WAL in.
    expect(rawFile(path).includes(Buffer.from(ITEM))).toBe(false);
  });

  it('fails a tampered profile with a crypto error as the cause', async () => {
    const path = tmpDb();
    const s = await createSqliteStore({ path, codec: createEncryptedProfileCodec(K1) });
    await s.profiles.merge('v1', viewed(ITEM));
    const db = new Database(path);
    const row = db.prepare('SELECT data FROM profiles WHERE id = ?').get('v1') as { data: Buffer };
    row.data[row.data.length - 3]! ^= 0xff;
    db.prepare('UPDATE profiles SET data = ? WHERE id = ?').run(row.data, 'v1');
    db.close();
    const err = await s.profiles.get('v1').then(
      () => undefined,
      (e: Error) => e,
    );
    await s.close();
    expect(err?.message).toMatch(
      /\[tessera\] \[sqlite\] get: corrupt profile "v1"|\[sqlite\] corrupt profile "v1"/,
    );
    expect(String((err?.cause as Error)?.message)).toMatch(/\[tessera\] \[crypto\] .*failed authentication/);
  });
});

/** A codec whose key ring the test swaps, standing in for a restarted node. */
function swappable(ring: KeyRingInput): { codec: ProfileCodec; use(r: KeyRingInput): void; kids: string[] } {
  let inner = createEncryptedProfileCodec(ring);
  const kids: string[] = [];
  return {
    kids,
    use(r) {
      inner = createEncryptedProfileCodec(r);
    },
    codec: {
      encode(p) {
        const b = inner.encode(p);
        kids.push(blobKeyId(b) ?? 'plain');
        return b;
      },
      decode: (b) => inner.decode(b),
      stale: (b) => inner.stale?.(b) ?? false,
    },
  };
}

describe('key rotation on the memory store', () => {
  it('reads k1 under k2, re-encrypts, then reads with k2 alone', async () => {
    const ring = swappable(K1);
    const { profiles } = createMemoryStore({ codec: ring.codec });
    await profiles.merge('v1', viewed(ITEM));
    ring.use(K12);
    expect(items(await profiles.get('v1'))).toEqual([ITEM]);
    expect(await reencryptProfiles(profiles)).toEqual({ scanned: 1, rewritten: 1 });
    expect(ring.kids).toEqual(['k1', 'k2']);
    ring.use(K2);
    expect(items(await profiles.get('v1'))).toEqual([ITEM]);
    expect(await reencryptProfiles(profiles)).toEqual({ scanned: 1, rewritten: 0 });
  });
});

describe('key rotation on Redis', () => {
  it('reads k1 under k2, re-encrypts with the command, then reads with k2 alone', async () => {
    await requireRedis();
    const prefix = uniquePrefix('rotate');
    const open = (ring: KeyRingInput) =>
      createRedisStore({ url: REDIS_URL, prefix: `${prefix}:`, codec: createEncryptedProfileCodec(ring) });
    const a = await open(K1);
    await a.profiles.merge('v1', viewed(ITEM));
    await a.profiles.merge('v2', viewed('sku-other'));
    await a.close();

    const b = await open(K12);
    expect(items(await b.profiles.get('v1'))).toEqual([ITEM]);
    await b.close();
    const r = await reencryptCommand(
      { dataDir: '.', store: REDIS_URL, prefix, keys: `k1:${S1},k2:${S2}`, keyCurrent: 'k2' },
      () => {},
    );
    expect(r).toEqual({ scanned: 2, rewritten: 2 });

    const c = await open(K2);
    expect(items(await c.profiles.get('v1'))).toEqual([ITEM]);
    expect(items(await c.profiles.get('v2'))).toEqual(['sku-other']);
    await c.profiles.delete('v1');
    await c.profiles.delete('v2');
    await c.close();
  });
});
