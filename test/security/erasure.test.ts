/**
 * Access and erasure over real HTTP on SQLite: the admin export returns the
 * visitor's data; after `DELETE /admin/api/profiles/ID` or the visitor's own
 * `DELETE /privacy/me`, the raw SQLite file (WAL checkpointed first) and the
 * event log hold neither the id nor the one item only that visitor viewed,
 * and the in-process caches miss. Then, without any manual checkpoint, no
 * file under the data directory (WAL, SHM, spool, audit log included) holds
 * the visitor id, their email, a typed password or a search term; and the
 * directory is 0700, its files 0600.
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsOf } from '../../src/core/privacy/index.js';
import { createNodeApp } from '../../src/runtimes/node/app.js';
import { consoleLogger } from '../../src/runtimes/node/logger.js';
import { type CookieJar, jarFetch } from '../helpers/cookie-jar.js';
import { engineStores } from '../helpers/engine-ports.js';
import { collect, consentingVisitor, type SecurityTarget, startSecurityApp } from './app.js';

const ADMIN = 'erasure-suite-admin-token-0123456789';
let t: SecurityTarget;

beforeAll(async () => {
  t = await startSecurityApp({ adminToken: ADMIN });
}, 60_000);

afterAll(async () => {
  await t?.close();
});

function idOf(jar: CookieJar): string {
  const signed = jar.cookies.get('tsr_id');
  if (!signed) throw new Error('no tsr_id cookie');
  return signed.slice(0, 22);
}

/** Every byte SQLite keeps, after folding the WAL into the main file. */
function rawDatabase(): Buffer {
  const db = new Database(t.dbPath);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const parts = [readFileSync(t.dbPath)];
  for (const ext of ['-wal', '-journal']) {
    try {
      parts.push(readFileSync(t.dbPath + ext));
    } catch {
      // absent: nothing to scan
    }
  }
  return Buffer.concat(parts);
}

/** A visitor who viewed one item nobody else views, identified as a known user. */
async function browsingVisitor(item: string, userId: string): Promise<{ jar: CookieJar; id: string }> {
  const jar = await consentingVisitor(t.base);
  expect((await jarFetch(jar, `${t.base}/product/${item}`)).status).toBe(200);
  await collect(t.base, jar, [
    { type: 'view', item },
    { type: 'identify', props: { userId } },
  ]);
  await t.app.engine.idle();
  return { jar, id: idOf(jar) };
}

function admin(method: string, path: string): Promise<Response> {
  return fetch(`${t.base}/admin/api/${path}`, { method, headers: { authorization: `Bearer ${ADMIN}` } });
}

function expectGone(raw: Buffer, needles: string[]): void {
  for (const n of needles)
    expect(raw.includes(Buffer.from(n)), `"${n}" still in the SQLite file`).toBe(false);
}

describe('erasure leaves no trace', () => {
  it('exports everything held, then the admin DELETE removes it from file, log and caches', async () => {
    // A bystander whose data must survive.
    const other = await browsingVisitor('p-0003', 'user-bystander-77');
    const { id } = await browsingVisitor('p-0042', 'user-erase-me-41');
    // Links and the log keep the user id's pseudonym, never the user id itself.
    const pseudonym = await t.app.engine.profiles.pseudonym('user-erase-me-41');
    let raw = rawDatabase();
    for (const n of [id, 'p-0042', pseudonym]) expect(raw.includes(Buffer.from(n))).toBe(true);
    expect(raw.includes(Buffer.from('user-erase-me-41'))).toBe(false);
    // Profiles are encrypted at rest by default: every row is a TSE1 blob.
    const db = new Database(t.dbPath, { readonly: true });
    const heads = db.prepare('SELECT substr(data, 1, 4) AS h FROM profiles').all() as { h: Buffer }[];
    db.close();
    expect(heads.map((r) => r.h.toString('latin1'))).toEqual(heads.map(() => 'TSE1'));
    expect(heads.length).toBeGreaterThan(0);

    const exp = await admin('GET', `profiles/${id}`);
    expect(exp.status).toBe(200);
    const data = (await exp.json()) as {
      id: string;
      profile: { recent: Array<{ item: string }> } | null;
      links: { canonical: string | null };
      events: Array<{ type: string; item?: string }>;
      consent: { personalization: boolean } | null;
    };
    expect(data.id).toBe(id);
    expect(data.profile?.recent.map((r) => r.item)).toContain('p-0042');
    expect(data.links.canonical).toBe(pseudonym);
    expect(data.events.some((e) => e.type === 'view' && e.item === 'p-0042')).toBe(true);
    expect(data.consent).toMatchObject({ personalization: true });

    const del = await admin('DELETE', `profiles/${id}`);
    expect(del.status).toBe(200);
    expect(await del.json()).toMatchObject({ erased: true, id, profile: true, links: 1 });

    raw = rawDatabase();
    expectGone(raw, [id, 'p-0042', 'user-erase-me-41', pseudonym]);
    expect(raw.includes(Buffer.from(other.id))).toBe(true);
    expect(await eventsOf(engineStores(t.app.engine).events, id)).toEqual([]);
    expect(t.app.engine.profiles.held(id)).toBeUndefined();
    expect(await engineStores(t.app.engine).profiles.get(id)).toBeUndefined();
    expect((await admin('GET', `profiles/${id}`)).status).toBe(404);
    expect((await eventsOf(engineStores(t.app.engine).events, other.id)).length).toBeGreaterThan(0);
  });

  it('the visitor sees their own data at /privacy/me and erases it there, cookies cleared', async () => {
    const { jar, id } = await browsingVisitor('p-0077', 'user-self-serve-12');
    const mine = await jarFetch(jar, `${t.base}/privacy/me`);
    expect(mine.status).toBe(200);
    const data = (await mine.json()) as { id: string; events: Array<{ item?: string }> };
    expect(data.id).toBe(id);
    expect(data.events.some((e) => e.item === 'p-0077')).toBe(true);

    const del = await jarFetch(jar, `${t.base}/privacy/me`, {
      method: 'DELETE',
      headers: { 'x-tessera-csrf': '1' },
    });
    expect(del.status).toBe(200);
    const cleared = del.headers.getSetCookie();
    expect(cleared.some((c) => /^tsr_id=;.*Max-Age=0/i.test(c))).toBe(true);
    expect(jar.cookies.has('tsr_id')).toBe(false);

    expectGone(rawDatabase(), [id, 'p-0077', 'user-self-serve-12']);
    expect(await eventsOf(engineStores(t.app.engine).events, id)).toEqual([]);
    expect(t.app.engine.profiles.held(id)).toBeUndefined();
  });

  it('refuses an erasure another site starts from the visitor’s browser, and keeps their data', async () => {
    const { jar, id } = await browsingVisitor('p-0031', 'user-keep-me-7');
    const erase = (headers: Record<string, string>) =>
      jarFetch(jar, `${t.base}/privacy/me`, { method: 'DELETE', headers });
    const foreign = await erase({ origin: 'https://evil.example', 'x-tessera-csrf': '1' });
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { error: string }).error).toMatch(/cross-site erasure refused/);
    expect((await erase({ 'sec-fetch-site': 'cross-site', 'x-tessera-csrf': '1' })).status).toBe(403);
    // A form or a text/plain fetch cannot add a custom header without a preflight.
    const bare = await erase({ origin: new URL(t.base).origin });
    expect(bare.status).toBe(403);
    expect(((await bare.json()) as { error: string }).error).toMatch(/x-tessera-csrf/);
    expect(jar.cookies.has('tsr_id')).toBe(true);
    expect(await engineStores(t.app.engine).profiles.get(id)).toBeDefined();
  });

  it('answers 404 with a message and nothing else without a valid signed id', async () => {
    for (const cookie of [undefined, 'tsr_id=AAAAAAAAAAAAAAAAAAAAAA.forged-signature-forged-sig']) {
      const res = await fetch(`${t.base}/privacy/me`, cookie ? { headers: { cookie } } : {});
      expect(res.status).toBe(404);
      const body = (await res.json()) as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual(['error', 'status']);
      expect(String(body.error)).toMatch(/no valid visitor id/);
    }
  });
});

/** Every file below `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

describe('nothing sensitive stays on disk', () => {
  it('after DELETE /privacy/me no file in the data dir holds the id, the email, the password or the search term', async () => {
    const jar = await consentingVisitor(t.base);
    const id = idOf(jar);
    const email = 'Erase.Me+disk@example.test';
    const userId = 'user-disk-scan-5';
    const password = 'hunter2-SECRET-PW';
    const term = 'zebra-striped-trailrunner';
    const res = await collect(t.base, jar, [
      { type: 'identify', props: { userId, traits: { email, name: 'Erin Disk' } } },
      { type: 'form', props: { form: 'login', field: 'password', kind: 'password', value: password } },
      { type: 'form', props: { form: 'login', field: 'email', kind: 'email', value: email } },
      { type: 'search', props: { query: term } },
      { type: 'view', item: 'p-0101' },
    ]);
    expect(res.status).toBe(202);
    await t.app.engine.idle();

    // Held pseudonymized, yet an operator finds the visitor by email or by user id.
    for (const key of [email, email.toLowerCase(), userId]) {
      const found = await admin('GET', `profiles/${encodeURIComponent(key)}`);
      expect(found.status, key).toBe(200);
      const body = (await found.json()) as { visitors: Array<{ id: string }> };
      expect(body.visitors.map((v) => v.id)).toEqual([id]);
    }

    const del = await jarFetch(jar, `${t.base}/privacy/me`, {
      method: 'DELETE',
      headers: { 'x-tessera-csrf': '1' },
    });
    expect(del.status).toBe(200);
    const needles = [id, email, email.toLowerCase(), userId, password, term, 'Erin Disk'];
    const files = filesUnder(t.dir);
    expect(files.map((f) => f.slice(t.dir.length + 1))).toEqual(
      expect.arrayContaining(['tessera.db', 'tessera.db-wal', 'spool.db', 'audit.log']),
    );
    for (const file of files) {
      const bytes = readFileSync(file);
      for (const n of needles) expect(bytes.includes(Buffer.from(n)), `"${n}" in ${file}`).toBe(false);
    }
    expect((await admin('GET', `profiles/${encodeURIComponent(email)}`)).status).toBe(404);
  });

  it('creates the data directory 0700 and every file in it 0600, fixing an existing directory', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'tessera-modes-'));
    const dir = join(parent, 'data');
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    const app = await createNodeApp({
      dataDir: dir,
      secret: 'security-suite-secret-security-suite-0',
      retrainMs: 0,
      modelPollMs: 0,
      logger: consoleLogger('error'),
      adminToken: ADMIN,
    });
    try {
      const port = await app.listen(0, '127.0.0.1');
      await consentingVisitor(`http://127.0.0.1:${port}`);
      await fetch(`http://127.0.0.1:${port}/admin/api/segments`, {
        headers: { authorization: `Bearer ${ADMIN}` },
      });
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      const files = filesUnder(dir);
      expect(files.map((f) => f.slice(dir.length + 1))).toEqual(
        expect.arrayContaining([
          'tessera.db',
          'tessera.db-wal',
          'tessera.db-shm',
          'spool.db',
          'audit.log',
          'models/aliases.json',
        ]),
      );
      // The model registry's directory and every version in it, owner-only too.
      expect(statSync(join(dir, 'models')).mode & 0o777).toBe(0o700);
      expect(files.some((f) => /models\/[0-9a-f]{16}\.tsra$/.test(f))).toBe(true);
      for (const f of files) expect(statSync(f).mode & 0o777, f).toBe(0o600);
    } finally {
      await app.close();
      rmSync(parent, { recursive: true, force: true });
    }
  }, 60_000);
});
