/**
 * The HTTP behaviour suite: what any Tessera runtime must do on the wire,
 * run against a live target (Node now; the Worker in workerd later, unchanged).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, jarFetch } from '../helpers/cookie-jar.js';
import type { Target } from '../helpers/node-target.js';
import { recommendedCategories } from './recommended.js';

let seq = 0;
const ev = (type: string, extra: Record<string, unknown> = {}) => ({
  id: `t${Date.now()}-${seq++}`,
  type,
  ts: Date.now(),
  ...extra,
});

function heroOf(html: string): string | undefined {
  return /data-hero="([^"]+)"/.exec(html)?.[1];
}

async function collect(base: string, jar: CookieJar, events: unknown[]) {
  const res = await jarFetch(jar, `${base}/collect`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  return {
    res,
    json: (await res.json()) as {
      accepted: number;
      rejected: Array<{ index: number; error: string }>;
      stored: number;
    },
  };
}

export function httpBehaviourSuite(
  name: string,
  start: () => Promise<Target>,
  products: { running: string[] },
) {
  describe(`HTTP behaviour: ${name}`, () => {
    let t: Target;
    beforeAll(async () => {
      t = await start();
    });
    afterAll(async () => {
      await t?.close();
    });

    it('serves a new visitor default content without setting an identifier or storing anything (opt-in)', async () => {
      const jar = new CookieJar();
      const res = await jarFetch(jar, `${t.baseUrl}/`);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(heroOf(html)).toBe('default');
      expect(res.headers.getSetCookie()).toEqual([]);
      expect(await t.profileCount()).toBe(0);
      expect(res.headers.get('server-timing')).toMatch(
        /context;dur=.*profile;dur=.*segments;dur=.*recommend;dur=.*assemble;dur=/,
      );
    });

    it('ignores events before consent and sets the id cookie once the visitor accepts', async () => {
      const jar = new CookieJar();
      const before = await collect(t.baseUrl, jar, [ev('view', { item: products.running[0] })]);
      expect(before.res.status).toBe(202);
      expect(before.json.stored).toBe(0);
      expect(jar.cookies.has('tsr_id')).toBe(false);
      const after = await collect(t.baseUrl, jar, [
        ev('consent', { props: { personalization: true, analytics: true } }),
      ]);
      expect(after.res.status).toBe(202);
      expect(jar.cookies.get('tsr_consent')).toBe('p1.a1');
      expect(jar.cookies.get('tsr_id')).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/);
    });

    it('stores nothing from a visitor who chose to learn on their device only', async () => {
      const jar = new CookieJar();
      const logged = await t.eventCount();
      // `device` wins even over a grant sent with it.
      const choice = await collect(t.baseUrl, jar, [
        ev('consent', { props: { personalization: true, analytics: true, device: true } }),
        ev('view', { item: products.running[0] }),
      ]);
      expect(choice.res.status).toBe(202);
      expect(jar.cookies.get('tsr_consent')).toBe('p0.a0.d1');
      expect(jar.cookies.has('tsr_id')).toBe(false);
      const later = await collect(t.baseUrl, jar, [
        ev('view', { item: products.running[1] }),
        ev('click', { item: products.running[1] }),
      ]);
      expect(later.json.stored).toBe(0);
      expect(jar.cookies.has('tsr_id')).toBe(false);
      expect(await t.eventCount()).toBe(logged);
    });

    it('keeps the good events of a mixed batch and reports the bad ones by index', async () => {
      const jar = new CookieJar();
      await collect(t.baseUrl, jar, [ev('consent', { props: { personalization: true, analytics: true } })]);
      const { res, json } = await collect(t.baseUrl, jar, [
        ev('view', { item: products.running[0] }),
        { id: 'x', type: 'nope', ts: Date.now() },
        ev('click'),
        ev('scroll', { props: { depth: 50 } }),
      ]);
      expect(res.status).toBe(202);
      expect(json.accepted).toBe(2);
      expect(json.rejected.map((r) => r.index)).toEqual([1, 2]);
      expect(json.rejected[1]!.error).toMatch(/item/);
    });

    it('changes nothing when the same events are sent twice', async () => {
      const jar = new CookieJar();
      await collect(t.baseUrl, jar, [ev('consent', { props: { personalization: true, analytics: true } })]);
      const batch = [ev('view', { item: products.running[1] }), ev('click', { item: products.running[1] })];
      const first = await collect(t.baseUrl, jar, batch);
      const eventsAfterFirst = await t.eventCount();
      const second = await collect(t.baseUrl, jar, batch);
      expect(first.json.stored).toBe(2);
      expect(second.json.stored).toBe(0);
      expect(second.json.accepted).toBe(2);
      expect(await t.eventCount()).toBe(eventsAfterFirst);
    });

    it('answers 400 with a message for bodies that are not JSON or not a batch', async () => {
      for (const body of ['{"events": [', '{"nope": 1}', '[1,2]']) {
        const res = await fetch(`${t.baseUrl}/collect`, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json' },
        });
        expect(res.status).toBe(400);
        const json = (await res.json()) as { error: string };
        expect(json.error).toMatch(/\[tessera\] \[collect\]/);
      }
      const get = await fetch(`${t.baseUrl}/collect`);
      expect(get.status).toBe(405);
    });

    it('answers 413 to a 2 MB body and keeps serving', async () => {
      const big = JSON.stringify({ events: [ev('page', { props: { pad: 'x'.repeat(2 * 1024 * 1024) } })] });
      const res = await fetch(`${t.baseUrl}/collect`, {
        method: 'POST',
        body: big,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(413);
      expect(((await res.json()) as { error: string }).error).toMatch(/larger than/);
      const health = await fetch(`${t.baseUrl}/health`);
      expect(health.status).toBe(200);
      expect(((await health.json()) as { status: string }).status).toBe('ok');
    });

    it('replaces a tampered id cookie with a fresh one and does not personalize from it', async () => {
      const jar = new CookieJar();
      await collect(t.baseUrl, jar, [ev('consent', { props: { personalization: true, analytics: true } })]);
      for (const item of products.running.slice(0, 3)) await jarFetch(jar, `${t.baseUrl}/product/${item}`);
      const good = jar.cookies.get('tsr_id')!;
      const tampered = `${good.slice(0, 3)}${good[3] === 'x' ? 'y' : 'x'}${good.slice(4)}`;
      const res = await fetch(`${t.baseUrl}/`, {
        headers: { cookie: `tsr_consent=p1.a1; tsr_id=${tampered}` },
      });
      const set = res.headers.getSetCookie().find((c) => c.startsWith('tsr_id='));
      expect(set).toBeDefined();
      expect(set).not.toContain(tampered);
      expect(heroOf(await res.text())).toBe('default');
    });

    it('personalizes hero and recommendations after three views of one category', async () => {
      const jar = new CookieJar();
      await collect(t.baseUrl, jar, [ev('consent', { props: { personalization: true, analytics: true } })]);
      for (const item of products.running.slice(3, 6)) {
        const r = await jarFetch(jar, `${t.baseUrl}/product/${item}`);
        expect(r.status).toBe(200);
      }
      const res = await jarFetch(jar, `${t.baseUrl}/`);
      const html = await res.text();
      expect(heroOf(html)).toBe('running');
      const cats = recommendedCategories(html);
      expect(cats).toHaveLength(10);
      expect(cats.filter((c) => c === 'running').length).toBeGreaterThanOrEqual(6);
      expect(res.headers.get('x-tessera-segments')).toContain('runners');
      expect(res.headers.get('cache-control')).toMatch(/private/);
    });

    it('keys the variant cache by segments, never by visitor', async () => {
      const keys: string[] = [];
      const ids: string[] = [];
      for (let v = 0; v < 2; v++) {
        const jar = new CookieJar();
        await collect(t.baseUrl, jar, [ev('consent', { props: { personalization: true, analytics: true } })]);
        for (const item of products.running.slice(v, v + 3))
          await jarFetch(jar, `${t.baseUrl}/product/${item}`);
        const res = await jarFetch(jar, `${t.baseUrl}/category/hiking`);
        keys.push(res.headers.get('x-tessera-variant')!);
        ids.push(jar.cookies.get('tsr_id')!.split('.')[0]!);
        expect(res.headers.get('vary')).toMatch(/Cookie/i);
      }
      expect(keys[0]).toBe(keys[1]);
      expect(keys[0]).toContain('runners');
      for (const id of ids) expect(keys[0]).not.toContain(id);
      const anon = await fetch(`${t.baseUrl}/category/hiking`);
      expect(anon.headers.get('x-tessera-variant')).not.toBe(keys[0]);
      expect(anon.headers.get('cache-control')).toMatch(/public/);
    });

    it('stops personalizing and forgets the profile when the visitor declines', async () => {
      const jar = new CookieJar();
      await collect(t.baseUrl, jar, [ev('consent', { props: { personalization: true, analytics: true } })]);
      for (const item of products.running.slice(0, 3)) await jarFetch(jar, `${t.baseUrl}/product/${item}`);
      expect(heroOf(await (await jarFetch(jar, `${t.baseUrl}/`)).text())).toBe('running');
      const profilesBefore = await t.profileCount();
      const { json } = await collect(t.baseUrl, jar, [
        ev('consent', { props: { personalization: false, analytics: false } }),
      ]);
      expect(json.accepted).toBe(1);
      expect(jar.cookies.has('tsr_id')).toBe(false);
      expect(jar.cookies.has('tsr_p')).toBe(false);
      expect(jar.cookies.get('tsr_consent')).toBe('p0.a0');
      expect(await t.profileCount()).toBe(profilesBefore - 1);
      const after = await jarFetch(jar, `${t.baseUrl}/product/${products.running[4]}`);
      expect(after.headers.getSetCookie()).toEqual([]);
      expect(heroOf(await (await jarFetch(jar, `${t.baseUrl}/`)).text())).toBe('default');
      expect(await t.profileCount()).toBe(profilesBefore - 1);
    });

    it('refuses a cross-site post to /collect (it cannot withdraw consent) and accepts same-origin and server posts', async () => {
      const jar = new CookieJar();
      await collect(t.baseUrl, jar, [ev('consent', { props: { personalization: true, analytics: true } })]);
      const withdraw = JSON.stringify({
        events: [ev('consent', { props: { personalization: false, analytics: false } })],
      });
      const post = (headers: Record<string, string>, body = withdraw) =>
        jarFetch(jar, `${t.baseUrl}/collect`, { method: 'POST', headers, body });
      const foreign = await post({ origin: 'https://evil.example', 'content-type': 'text/plain' });
      expect(foreign.status).toBe(403);
      expect(((await foreign.json()) as { error: string }).error).toMatch(/cross-site post refused/);
      expect((await post({ 'sec-fetch-site': 'cross-site', 'content-type': 'text/plain' })).status).toBe(403);
      expect((await post({ origin: 'null', 'content-type': 'text/plain' })).status).toBe(403);
      expect(jar.cookies.has('tsr_id')).toBe(true);
      const view = JSON.stringify({ events: [ev('view', { item: products.running[0] })] });
      const own = new URL(t.baseUrl).origin;
      const sameOrigin = { origin: own, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' };
      expect((await post(sameOrigin, view)).status).toBe(202);
      expect((await post({ 'content-type': 'application/json' }, view)).status).toBe(202);
    });

    it('serves the collector script and 404s unknown pages', async () => {
      const js = await fetch(`${t.baseUrl}/tessera.js`);
      expect(js.status).toBe(200);
      expect(js.headers.get('content-type')).toMatch(/javascript/);
      const missing = await fetch(`${t.baseUrl}/product/does-not-exist`);
      expect(missing.status).toBe(404);
    });
  });
}
