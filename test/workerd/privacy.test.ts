/**
 * The visitor's own data-subject rights on the Worker, in workerd: the demo
 * shop Worker with KV profiles answers `GET /privacy/me` with what it holds
 * and `DELETE /privacy/me` erases it from the KV namespace and clears the
 * cookies.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CookieJar, jarFetch } from '../helpers/cookie-jar.js';
import { type RunningWorker, startWorker } from './miniflare.js';

const catalog = JSON.parse(
  readFileSync(new URL('../../examples/shop/catalog.json', import.meta.url), 'utf8'),
) as Array<{ id: string; category: string; in_stock: boolean }>;
const item = catalog.find((p) => p.category === 'running' && p.in_stock)!.id;

let seq = 0;
const ev = (type: string, extra: Record<string, unknown> = {}) => ({
  id: `p${Date.now()}-${seq++}`,
  type,
  ts: Date.now(),
  ...extra,
});

let w: RunningWorker;
beforeAll(async () => {
  w = await startWorker('test/workerd/shop-test-worker.ts', {
    kvNamespaces: ['TESSERA_KV'],
    queueProducers: { TESSERA_EVENTS: 'tessera-events' },
    // The same Worker consumes its queue, as deployed: the consumer alone writes profiles.
    queueConsumers: { 'tessera-events': { maxBatchSize: 100, maxBatchTimeout: 1, retryDelay: 1 } },
    bindings: {
      TESSERA_SECRET: 'privacy-suite-secret-privacy-suite-00',
      TESSERA_CONSENT_MODE: 'opt-in',
      TESSERA_SECURE_COOKIES: 'false',
    },
  });
});
afterAll(async () => {
  await w?.close();
});

async function collect(jar: CookieJar, events: unknown[]): Promise<void> {
  const res = await jarFetch(jar, `${w.baseUrl}/collect`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  expect(res.status).toBe(202);
  expect(((await res.json()) as { accepted: number }).accepted).toBe(events.length);
}

interface Me {
  id: string;
  profile: { items?: Record<string, unknown> } | null | undefined;
}

async function me(jar: CookieJar): Promise<{ status: number; body: Me }> {
  const res = await jarFetch(jar, `${w.baseUrl}/privacy/me`);
  return { status: res.status, body: (await res.json()) as Me };
}

describe('Cloudflare Worker in workerd: /privacy/me', () => {
  it('gives a consenting visitor their data, then erases it from KV and clears the cookies', async () => {
    const jar = new CookieJar();
    await collect(jar, [ev('consent', { props: { personalization: true, analytics: true } })]);
    await collect(jar, [ev('view', { item })]);
    const kv = await w.kv('TESSERA_KV');

    // The view is stored in the background (ctx.waitUntil): wait until KV holds it.
    let got = await me(jar);
    for (let i = 0; i < 50 && !JSON.stringify(got.body.profile ?? null).includes(item); i++) {
      await new Promise((r) => setTimeout(r, 100));
      got = await me(jar);
    }
    expect(got.status).toBe(200);
    const id = got.body.id;
    expect(id).toMatch(/.+/);
    expect(JSON.stringify(got.body.profile)).toContain(item);
    // The queue's consumer stores it (the request path only overlays): wait until KV holds it.
    const stored = await vi.waitFor(
      async () => {
        const bytes = await kv.get(`p:${id}`, 'arrayBuffer');
        expect(bytes).not.toBeNull();
        return bytes!;
      },
      { timeout: 15_000, interval: 100 },
    );
    // Encrypted at rest by default, from the TESSERA_SECRET binding.
    const raw = new TextDecoder('latin1').decode(stored);
    expect(raw.startsWith('TSE1')).toBe(true);
    expect(raw).not.toContain(item);

    const res = await jarFetch(jar, `${w.baseUrl}/privacy/me`, {
      method: 'DELETE',
      headers: { 'x-tessera-csrf': '1' },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { erased: boolean; profile: boolean }).erased).toBe(true);
    const cleared = res.headers.getSetCookie();
    expect(cleared.some((c) => /^tsr_id=;/.test(c) && /max-age=0/i.test(c))).toBe(true);
    expect(cleared.some((c) => /^tsr_p=;/.test(c) && /max-age=0/i.test(c))).toBe(true);
    expect(jar.cookies.has('tsr_id')).toBe(false);

    expect(await kv.get(`p:${id}`, 'arrayBuffer')).toBeNull();
    // Without the id cookie there is nothing left to ask about.
    expect((await me(jar)).status).toBe(404);
  });
});
