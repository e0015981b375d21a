/**
 * What middleware adds to the behaviour suite: the framework's own headers
 * and cookies survive personalization, its non-HTML routes pass untouched,
 * the demo shop's security policy is not imposed on the site, and the
 * visitor's own `/privacy/me` is answered by the middleware (it once fell
 * through to the framework's 404 in every adapter).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, jarFetch } from '../helpers/cookie-jar.js';
import type { Target } from '../helpers/node-target.js';

export function frameworkSuite(name: string, start: () => Promise<Target>, product: string) {
  describe(`middleware: ${name}`, () => {
    let t: Target;
    beforeAll(async () => {
      t = await start();
    });
    afterAll(async () => {
      await t?.close();
    });

    it("keeps the framework's cookie and header beside Tessera's on a personalized page", async () => {
      const jar = new CookieJar();
      await collect(t, jar, [
        { id: `c${Date.now()}`, type: 'consent', ts: Date.now(), props: { personalization: true } },
      ]);
      const res = await jarFetch(jar, `${t.baseUrl}/product/${product}?login=1`);
      expect(res.status).toBe(200);
      const cookies = res.headers.getSetCookie();
      expect(cookies.some((c) => c.startsWith('app_session=abc123'))).toBe(true);
      expect(cookies.some((c) => c.startsWith('tsr_p='))).toBe(true);
      expect(res.headers.get('x-app')).toBeTruthy();
      expect(res.headers.get('x-tessera-variant')).toBeTruthy();
      expect(res.headers.get('cache-control')).toMatch(/private/);
      // The shop's strict CSP is the shop's choice, not the site's.
      expect(res.headers.get('content-security-policy')).toBeNull();
      const html = await res.text();
      expect(html).toMatch(/data-tessera-slot="recommended"[^>]*>\s*<h2>/);
    });

    it('answers /privacy/me: the visitor sees their profile, erases it, and the old id has nothing left', async () => {
      const jar = new CookieJar();
      await collect(t, jar, [
        { id: `pc${Date.now()}`, type: 'consent', ts: Date.now(), props: { personalization: true } },
        { id: `pv${Date.now()}`, type: 'view', ts: Date.now(), item: product },
      ]);
      const old = jar.cookies.get('tsr_id');
      expect(old).toBeTruthy();
      const me = await jarFetch(jar, `${t.baseUrl}/privacy/me`, { headers: { 'x-tessera-csrf': '1' } });
      expect(me.status).toBe(200);
      const mine = (await me.json()) as { profile: { recent: { item: string }[] } | null };
      expect(mine.profile?.recent.map((r) => r.item)).toContain(product);

      const erased = await jarFetch(jar, `${t.baseUrl}/privacy/me`, {
        method: 'DELETE',
        headers: { 'x-tessera-csrf': '1' },
      });
      expect(erased.status).toBe(200);
      expect(jar.cookies.has('tsr_id')).toBe(false);
      const after = await fetch(`${t.baseUrl}/privacy/me`, { headers: { cookie: `tsr_id=${old}` } });
      if (after.status === 200) expect(((await after.json()) as { profile: unknown }).profile).toBeNull();
      else expect(after.status).toBe(404);
    });

    it('leaves JSON routes and assets as the framework answered them', async () => {
      const res = await fetch(`${t.baseUrl}/api/ping`);
      expect(await res.json()).toEqual({ pong: true });
      expect(res.headers.get('x-tessera-variant')).toBeNull();
      const css = await fetch(`${t.baseUrl}/shop.css`);
      expect(css.headers.get('content-type')).toMatch(/css/);
      expect(css.headers.get('x-tessera-variant')).toBeNull();
    });
  });
}

/** POSTs a batch of events to the target's `/collect` with the jar's cookies. */
function collect(t: Target, jar: CookieJar, events: Record<string, unknown>[]): Promise<Response> {
  return jarFetch(jar, `${t.baseUrl}/collect`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
}
