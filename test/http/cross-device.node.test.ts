/**
 * Two browsers of one shopper, over HTTP (Node, SQLite store): each browses
 * its own category, then both identify as the same user. The next page on
 * either reflects both devices, with every view counted once; unlinking one
 * (`DELETE /privacy/me/link`) takes its part back out, on both sides.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainShopModel } from '../../examples/cloudflare/train-model.js';
import { userProfileKey } from '../../src/core/linked-devices.js';
import { eventCount } from '../../src/core/profile/index.js';
import { createNodeApp, type NodeApp } from '../../src/runtimes/node/app.js';
import { consoleLogger } from '../../src/runtimes/node/logger.js';
import { CookieJar, jarFetch } from '../helpers/cookie-jar.js';
import { recommendedCategories } from './recommended.js';

const catalog = JSON.parse(
  readFileSync(new URL('../../examples/shop/catalog.json', import.meta.url), 'utf8'),
) as Array<{ id: string; category: string; in_stock: boolean }>;
const inStock = (category: string) =>
  catalog.filter((p) => p.category === category && p.in_stock).map((p) => p.id);
const HALF_LIFE = 3 * 24 * 3600 * 1000;

let seq = 0;
const ev = (type: string, extra: Record<string, unknown> = {}) => ({
  id: `xd${Date.now().toString(36)}-${seq++}`,
  type,
  ts: Date.now(),
  ...extra,
});

describe('cross-device merge over HTTP', () => {
  let dir: string;
  let app: NodeApp;
  let base: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-cross-device-'));
    app = await createNodeApp({
      dataDir: dir,
      store: `sqlite:${join(dir, 'tessera.db')}`,
      secret: 'cross-device-secret-cross-device-secret-0',
      retrainMs: 0,
      trainIfEmpty: false,
      modelPollMs: 0,
      logger: consoleLogger('error'),
    });
    app.engine.models.swap(await trainShopModel());
    base = `http://127.0.0.1:${await app.listen(0)}`;
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const collect = async (jar: CookieJar, events: unknown[]) => {
    const res = await jarFetch(jar, `${base}/collect`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events }),
    });
    expect(res.status).toBe(202);
    await res.text();
  };
  const home = async (jar: CookieJar) => {
    const res = await jarFetch(jar, `${base}/`);
    expect(res.status).toBe(200);
    return recommendedCategories(await res.text());
  };
  const majority = (cats: string[], category: string) =>
    cats.filter((c) => c === category).length > cats.length / 2;
  /** The profile a page decision for this browser reads, and the browser's own stored profile. */
  const profiles = async (jar: CookieJar) => {
    const d = await app.engine.decide(new Request(`${base}/`, { headers: { cookie: jar.header() } }));
    const id = d.visitor.id!;
    return { id, decided: d.profile!, own: (await app.engine.profiles.get(id))! };
  };
  const views = (p: Parameters<typeof eventCount>[0]) => eventCount(p, 'view', Date.now(), HALF_LIFE);

  it('joins both devices into the next page of either, counts each view once, and unlinks one', async () => {
    const phone = new CookieJar();
    const laptop = new CookieJar();
    const running = inStock('running');
    const hiking = inStock('hiking');
    const consent = ev('consent', { props: { personalization: true, analytics: true } });
    await collect(phone, [consent]);
    await collect(laptop, [{ ...consent, id: `${consent.id}-laptop` }]);
    // The phone looks at a little running; the laptop at more hiking (3 beacons, 3 product pages).
    await collect(
      phone,
      running.slice(0, 2).map((item) => ev('view', { item })),
    );
    await collect(
      laptop,
      hiking.slice(0, 3).map((item) => ev('view', { item })),
    );
    for (const item of hiking.slice(3, 6)) await (await jarFetch(laptop, `${base}/product/${item}`)).text();
    expect(majority(await home(phone), 'running')).toBe(true);
    expect(majority(await home(laptop), 'hiking')).toBe(true);

    await collect(phone, [ev('identify', { props: { userId: 'shopper-42' } })]);
    await collect(laptop, [ev('identify', { props: { userId: 'shopper-42' } })]);

    // The phone now sees the laptop's hiking, which outweighs its own running.
    expect(majority(await home(phone), 'hiking')).toBe(true);
    const p = await profiles(phone);
    const l = await profiles(laptop);
    expect(p.id).not.toBe(l.id);
    // Each device's views once: the join is the sum of both, on either device, however often it is read.
    const both = views(p.own) + views(l.own);
    expect(views(l.own)).toBeGreaterThan(views(p.own));
    expect(views(p.decided)).toBeCloseTo(both, 3);
    expect(views(l.decided)).toBeCloseTo(both, 3);
    await collect(laptop, [ev('page')]);
    await home(phone);
    expect(views((await profiles(phone)).decided)).toBeCloseTo(both, 3);

    // The laptop leaves the account: its hiking leaves the phone's pages, the phone's running leaves its own.
    const csrf = { 'x-tessera-csrf': '1' };
    const res = await jarFetch(laptop, `${base}/privacy/me/link`, { method: 'DELETE', headers: csrf });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ unlinked: true, otherDevices: 1 });
    expect(majority(await home(phone), 'running')).toBe(true);
    const after = await profiles(phone);
    expect(views(after.decided)).toBeCloseTo(views(after.own), 3);
    expect(after.decided.affinities['category:hiking']).toBeUndefined();
    const laptopAfter = await profiles(laptop);
    expect(views(laptopAfter.decided)).toBeCloseTo(views(laptopAfter.own), 3);
    expect(laptopAfter.decided.affinities['category:running']).toBeUndefined();
  });

  it("erasing one device takes its part out of the user's profile", async () => {
    const phone = new CookieJar();
    const laptop = new CookieJar();
    const consent = { props: { personalization: true } };
    await collect(phone, [ev('consent', consent), ev('view', { item: inStock('running')[0] })]);
    await collect(laptop, [ev('consent', consent), ev('view', { item: inStock('hiking')[0] })]);
    await collect(phone, [ev('identify', { props: { userId: 'shopper-erase' } })]);
    await collect(laptop, [ev('identify', { props: { userId: 'shopper-erase' } })]);
    expect((await profiles(phone)).decided.affinities['category:hiking']).toBeDefined();
    const user = userProfileKey(await app.engine.profiles.pseudonym('shopper-erase'));
    expect((await app.engine.profiles.get(user))?.affinities['category:hiking']).toBeDefined();
    const res = await jarFetch(laptop, `${base}/privacy/me`, {
      method: 'DELETE',
      headers: { 'x-tessera-csrf': '1' },
    });
    expect(res.status).toBe(200);
    expect((await app.engine.profiles.get(user))?.affinities['category:hiking']).toBeUndefined();
    expect((await app.engine.profiles.get(user))?.affinities['category:running']).toBeDefined();
    await home(phone);
    expect((await profiles(phone)).decided.affinities['category:hiking']).toBeUndefined();
  });

  it('refuses an unlink without the CSRF header or a visitor id', async () => {
    const jar = new CookieJar();
    await collect(jar, [ev('consent', { props: { personalization: true } })]);
    expect((await jarFetch(jar, `${base}/privacy/me/link`, { method: 'DELETE' })).status).toBe(403);
    const anonymous = new CookieJar();
    const res = await jarFetch(anonymous, `${base}/privacy/me/link`, {
      method: 'DELETE',
      headers: { 'x-tessera-csrf': '1' },
    });
    expect(res.status).toBe(404);
  });
});
