/**
 * Visitor isolation on the wire, for every runtime (Node in
 * visitor-isolation.node.test.ts, the Worker in workerd in
 * test/workerd/visitor-isolation.test.ts):
 *
 * - a shared cache that ignores Vary (a tiny caching proxy below) never
 *   hands one visitor's id cookie or personalized content to another, in
 *   opt-in and opt-out mode, with and without a Referer from another site;
 * - GPC wins over a consent cookie that says yes;
 * - an erased id, replayed with a consent cookie, grows nothing and is
 *   replaced by a new id.
 *
 * The target's model must hold a cold-start list for visitors referred by
 * REFERRER (see `referrerEvents`), so a referred anonymous page says
 * "popular with visitors from news.example".
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoggedEvent } from '../../src/core/types.js';
import { CookieJar, jarFetch } from '../helpers/cookie-jar.js';
import type { Target } from '../helpers/node-target.js';

export const REFERRER = 'news.example';
const REFERRED_TEXT = `popular with visitors from ${REFERRER}`;

/** Item views from visitors referred by REFERRER, for the trainer's per-referrer list. */
export function referrerEvents(items: readonly string[], n = 60): LoggedEvent[] {
  const now = Date.now();
  return Array.from({ length: n }, (_, i) => ({
    id: `ref-${i}`,
    type: 'view',
    ts: now - i,
    item: items[i % items.length]!,
    visitor: `ref-visitor-${i}`,
    node: 'test',
    received: now - i,
    props: { source: 'edge', ref: REFERRER },
  }));
}

interface Cached {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  until: number;
}

/** Seconds a shared cache may keep a response, or 0: honours private/no-store/s-maxage, ignores Vary. */
function sharedLifetime(cacheControl: string | undefined): number {
  if (!cacheControl) return 0;
  const cc = cacheControl.toLowerCase();
  if (/(^|[\s,])(private|no-store|no-cache)([\s,=]|$)/.test(cc)) return 0;
  const s = /s-maxage=(\d+)/.exec(cc) ?? /(?:^|[\s,])max-age=(\d+)/.exec(cc);
  return s ? Number(s[1]) : 0;
}

/** A shared cache that ignores Vary (some CDNs and proxies do): GET responses by URL only. */
export async function startIgnoringVaryCache(
  upstream: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const cache = new Map<string, Cached>();
  const target = new URL(upstream);
  const server: Server = createServer((req, res) => {
    const key = req.url ?? '/';
    const hit = req.method === 'GET' ? cache.get(key) : undefined;
    if (hit && hit.until > Date.now()) {
      res.writeHead(hit.status, { ...hit.headers, 'x-test-cache': 'hit' });
      res.end(hit.body);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const up = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: key,
          headers: { ...req.headers, host: target.host },
        },
        (ur) => {
          const body: Buffer[] = [];
          ur.on('data', (c: Buffer) => body.push(c));
          ur.on('end', () => {
            const all = Buffer.concat(body);
            const life = sharedLifetime(ur.headers['cache-control']);
            if (req.method === 'GET' && life > 0 && ur.statusCode === 200)
              cache.set(key, {
                status: 200,
                headers: ur.headers,
                body: all,
                until: Date.now() + life * 1000,
              });
            res.writeHead(ur.statusCode ?? 502, { ...ur.headers, 'x-test-cache': 'miss' });
            res.end(all);
          });
        },
      );
      up.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      up.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

let seq = 0;
const ev = (type: string, extra: Record<string, unknown> = {}) => ({
  id: `iso${Date.now()}-${seq++}`,
  type,
  ts: Date.now(),
  ...extra,
});

async function collect(
  base: string,
  jar: CookieJar,
  events: unknown[],
  headers: Record<string, string> = {},
) {
  const res = await jarFetch(jar, `${base}/collect`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ events }),
  });
  return { res, json: (await res.json()) as { accepted: number; stored: number } };
}

const idOf = (res: Response): string | undefined =>
  res.headers
    .getSetCookie()
    .find((c) => c.startsWith('tsr_id=') && !/max-age=0/i.test(c))
    ?.slice('tsr_id='.length)
    .split(';')[0];
const heroOf = (html: string) => /data-hero="([^"]+)"/.exec(html)?.[1];
const personalized = (html: string) => html.includes('data-tessera-personalized="true"');
const YES = { personalization: true, analytics: true };
const NO = { personalization: false, analytics: false };

export function visitorIsolationSuite(
  name: string,
  start: (mode: 'opt-in' | 'opt-out') => Promise<Target>,
  products: { running: string[] },
) {
  describe.each(['opt-out', 'opt-in'] as const)(`visitor isolation: ${name}, %s`, (mode) => {
    let t: Target;
    let proxy: { url: string; close(): Promise<void> };
    let n = 0;
    /** A fresh URL per case: the proxy caches by URL, across cases too. */
    const fresh = (path: string) => `${proxy.url}${path}?case=${mode}-${n++}`;
    beforeAll(async () => {
      t = await start(mode);
      proxy = await startIgnoringVaryCache(t.baseUrl);
    });
    afterAll(async () => {
      await proxy?.close();
      await t?.close();
    });

    /** A visitor with consent and three running views: the hero says running. */
    async function runner(): Promise<CookieJar> {
      const jar = new CookieJar();
      await collect(t.baseUrl, jar, [ev('consent', { props: YES })]);
      for (const item of products.running.slice(0, 3)) await jarFetch(jar, `${t.baseUrl}/product/${item}`);
      return jar;
    }

    it('never hands the id cookie set for one visitor to the next through a shared cache', async () => {
      const url = fresh('/');
      // opt-out: everyone without a cookie gets an id; opt-in: a consent cookie without an id does.
      const cookie = mode === 'opt-in' ? { cookie: 'tsr_consent=p1.a1' } : undefined;
      const first = await fetch(url, { headers: { ...cookie } });
      const firstId = idOf(first);
      expect(firstId).toBeDefined();
      expect(first.headers.get('cache-control')).toMatch(/private|no-store/);
      const second = await fetch(url, { headers: { ...cookie } });
      const secondId = idOf(second);
      expect(secondId).toBeDefined();
      expect(secondId).not.toBe(firstId);
    });

    it('never hands one visitor’s personalized page to another through a shared cache', async () => {
      const jar = await runner();
      const url = fresh('/');
      const mine = await jarFetch(jar, url);
      expect(heroOf(await mine.text())).toBe('running');
      // Another visitor: no cookies at all (opt-out would mint an id; declined keeps them anonymous).
      for (const cookie of ['', 'tsr_consent=p0.a0']) {
        const other = await fetch(url, { headers: cookie ? { cookie } : {} });
        const html = await other.text();
        expect(heroOf(html)).toBe('default');
        expect(personalized(html)).toBe(false);
        expect(other.headers.getSetCookie().join('\n')).not.toContain(jar.cookies.get('tsr_id')!);
      }
    });

    it('never hands a page made from one visitor’s Referer to a visitor without one, or back', async () => {
      // Anonymous visitors (declined): pages made from the request alone.
      const anon = { cookie: 'tsr_consent=p0.a0' };
      const url = fresh('/');
      const referred = await fetch(url, { headers: { ...anon, referer: `https://${REFERRER}/story` } });
      expect(await referred.text()).toContain(REFERRED_TEXT);
      expect(referred.headers.get('cache-control')).toMatch(/private/);
      const direct = await fetch(url, { headers: anon });
      const directHtml = await direct.text();
      expect(directHtml).not.toContain(REFERRED_TEXT);
      // The other order: a direct visitor's page is shared, and says so in Vary.
      const url2 = fresh('/');
      const direct2 = await fetch(url2, { headers: anon });
      expect(direct2.headers.get('cache-control')).toMatch(/public/);
      expect(direct2.headers.get('vary')).toMatch(/Referer/);
      expect(direct2.headers.get('x-tessera-variant')).not.toBe(referred.headers.get('x-tessera-variant'));
    });

    it('lets GPC win over a consent cookie that says yes: no id, no profile, nothing stored', async () => {
      const jar = await runner();
      const gpc = { 'sec-gpc': '1' };
      const page = await jarFetch(jar, `${t.baseUrl}/`, { headers: gpc });
      const html = await page.text();
      expect(heroOf(html)).toBe('default');
      expect(personalized(html)).toBe(false);
      expect(jar.cookies.has('tsr_id')).toBe(false);
      expect(page.headers.get('server-timing')).toContain('profile-src;desc="none"');
      const other = new CookieJar();
      other.cookies.set('tsr_consent', 'p1.a1');
      const events = [ev('consent', { props: YES }), ev('view', { item: products.running[0] })];
      const r = await collect(t.baseUrl, other, events, gpc);
      expect(r.json.stored).toBe(0);
      expect(other.cookies.has('tsr_id')).toBe(false);
    });

    it.each(['decline', 'DELETE /privacy/me'] as const)(
      'never lets an erased id grow a profile again (%s, then the old cookie replayed with consent)',
      async (how) => {
        const jar = await runner();
        await collect(t.baseUrl, jar, [ev('view', { item: products.running[4] })]);
        const old = jar.cookies.get('tsr_id')!;
        if (how === 'decline') await collect(t.baseUrl, jar, [ev('consent', { props: NO })]);
        else
          expect(
            (
              await jarFetch(jar, `${t.baseUrl}/privacy/me`, {
                method: 'DELETE',
                headers: { 'x-tessera-csrf': '1' },
              })
            ).status,
          ).toBe(200);
        expect(jar.cookies.has('tsr_id')).toBe(false);

        const replay = new CookieJar();
        replay.cookies.set('tsr_consent', 'p1.a1');
        replay.cookies.set('tsr_id', old);
        const sent = await collect(t.baseUrl, replay, [
          ev('consent', { props: YES }),
          ev('view', { item: products.running[5] }),
          ev('view', { item: products.running[6] }),
        ]);
        expect(sent.res.status).toBe(202);
        const minted = replay.cookies.get('tsr_id');
        expect(minted).toBeDefined();
        expect(minted).not.toBe(old);

        const page = await fetch(`${t.baseUrl}/product/${products.running[7]}`, {
          headers: { cookie: `tsr_consent=p1.a1; tsr_id=${old}` },
        });
        const pageId = idOf(page);
        expect(pageId).toBeDefined();
        expect(pageId).not.toBe(old);

        const me = await fetch(`${t.baseUrl}/privacy/me`, { headers: { cookie: `tsr_id=${old}` } });
        if (me.status === 200) {
          const x = (await me.json()) as { profile: unknown; events: unknown[] };
          expect(x.profile).toBeNull();
          expect(x.events).toEqual([]);
        } else {
          expect(me.status).toBe(404);
        }
      },
    );
  });
}
