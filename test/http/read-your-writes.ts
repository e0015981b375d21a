/**
 * Read-your-writes under load: many visitors at once each give consent, send
 * three views of one category to `/collect`, open three product pages of it,
 * then the home page, which must already be personalized from their own
 * events (most of the recommended slot in that category). Several rounds, so
 * later visitors land while earlier ones' writes are still being stored.
 * A target may have several entry points (isolates of one Worker sharing
 * one KV namespace): each request then goes to a random one, as a visitor's
 * requests do at the edge.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, jarFetch } from '../helpers/cookie-jar.js';
import type { Target } from '../helpers/node-target.js';
import { recommendedCategories } from './recommended.js';

let seq = 0;
const ev = (type: string, extra: Record<string, unknown> = {}) => ({
  id: `ryw${Date.now().toString(36)}-${seq++}`,
  type,
  ts: Date.now(),
  ...extra,
});

/** Where one request goes: a random entry point of the target. */
type Pick = () => string;

async function collect(base: string, jar: CookieJar, events: unknown[]): Promise<number> {
  const res = await jarFetch(jar, `${base}/collect`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  await res.text();
  return res.status;
}

/** One visitor's flow; answers how many of the home page's recommended tiles are in `category`. */
async function flow(at: Pick, items: string[], category: string): Promise<{ inCategory: number }> {
  const jar = new CookieJar();
  expect(
    await collect(at(), jar, [ev('consent', { props: { personalization: true, analytics: true } })]),
  ).toBe(202);
  const views = items.slice(0, 3).map((item) => ev('view', { item }));
  expect(await collect(at(), jar, views)).toBe(202);
  for (const item of items.slice(3, 6)) {
    const page = await jarFetch(jar, `${at()}/product/${item}`);
    expect(page.status).toBe(200);
    await page.text();
  }
  const home = await jarFetch(jar, `${at()}/`);
  const cats = recommendedCategories(await home.text());
  return { inCategory: cats.filter((c) => c === category).length };
}

export function readYourWritesSuite(
  name: string,
  start: () => Promise<Target & { baseUrls?: string[] }>,
  o: { running: string[]; visitors?: number; rounds?: number },
) {
  describe(`Read-your-writes under load: ${name}`, () => {
    let t: Target & { baseUrls?: string[] };
    beforeAll(async () => {
      t = await start();
    });
    afterAll(async () => {
      await t?.close();
    });

    it('personalizes the home page from the visitor own events for every one of many concurrent visitors', async () => {
      const visitors = o.visitors ?? 20;
      const rounds = o.rounds ?? 3;
      const bases = t.baseUrls ?? [t.baseUrl];
      const at = () => bases[Math.floor(Math.random() * bases.length)]!;
      const misses: string[] = [];
      for (let round = 0; round < rounds; round++) {
        const results = await Promise.all(
          Array.from({ length: visitors }, (_, v) => {
            // Each visitor views its own six running products (overlapping, as real visitors do).
            const offset = (round * visitors + v) % Math.max(1, o.running.length - 6);
            return flow(at, o.running.slice(offset, offset + 6), 'running');
          }),
        );
        results.forEach((r, v) => {
          if (r.inCategory < 6) misses.push(`round ${round} visitor ${v}: ${r.inCategory}/10 running`);
        });
      }
      expect(misses).toEqual([]);
    }, 120_000);
  });
}
