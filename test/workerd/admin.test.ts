/**
 * `/admin` in the Cloudflare Worker (the demo shop in workerd): tokens by
 * hash in KV, the dashboard session in KV with the same cookie and CSRF
 * rules as on Node, the page's CSP hash-only with uPlot inlined, and the
 * live series and models panel fed by this isolate's traffic.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kvTokenEntry } from '../../src/admin/kv.js';
import { mintToken } from '../../src/admin/tokens.js';
import { cspHash } from '../../src/core/http/security-headers.js';
import { type RunningWorker, startWorker } from './miniflare.js';

let w: RunningWorker;
let stats: string;
let profiles: string;

beforeAll(async () => {
  w = await startWorker('test/workerd/shop-test-worker.ts', {
    kvNamespaces: ['TESSERA_KV'],
    bindings: {
      TESSERA_SECRET: 'admin-suite-secret-admin-suite-secret-0',
      TESSERA_SECURE_COOKIES: 'false',
    },
  });
  const kv = await w.kv('TESSERA_KV');
  const a = await mintToken('dashboard', ['read:stats', 'write:config']);
  const b = await mintToken('privacy', ['admin:profiles']);
  for (const r of [a.record, b.record]) {
    const { key, value } = kvTokenEntry(r);
    await kv.put(key, value);
  }
  stats = a.token;
  profiles = b.token;
}, 60_000);

afterAll(() => w?.close());

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${w.baseUrl}${path}`, { headers, redirect: 'manual' });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('admin in the Worker', () => {
  it('checks bearer tokens against the hashes in KV, scope by scope', async () => {
    expect((await get('/admin/api/experiments')).status).toBe(401);
    expect((await get('/admin/api/experiments', bearer('tsr_not-a-token'))).status).toBe(401);
    const ok = await get('/admin/api/experiments', bearer(stats));
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { experiments: Array<{ key: string }> };
    expect(body.experiments.map((e) => e.key)).toContain('recs-strategy');
    expect((await get('/admin/api/experiments', bearer(profiles))).status).toBe(403);
    expect((await get('/admin/api/profiles/nobody', bearer(stats))).status).toBe(403);
  });

  it('trades ?token= for a session cookie in KV; the API then needs the page’s CSRF value and no cross-site call', async () => {
    const open = await get(`/admin?token=${stats}`);
    expect(open.status).toBe(303);
    expect(open.headers.get('location')).toBe('/admin');
    const setCookie = open.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^tsr_admin=[\w-]+; Path=\/admin; Max-Age=3600; HttpOnly; SameSite=Strict$/);
    const cookie = setCookie.split(';')[0]!;
    expect(cookie).not.toContain(stats);
    const kv = await w.kv('TESSERA_KV');
    expect((await kv.list({ prefix: 'admin/session/' })).keys.length).toBe(1);

    const page = await get('/admin', { cookie, 'sec-fetch-dest': 'document' });
    expect(page.status).toBe(200);
    const html = await page.text();
    const csrf = /name="tessera-csrf" content="([^"]+)"/.exec(html)?.[1];
    expect(csrf).toBeTruthy();
    // The CSP allows exactly the page's one inline script (uPlot + the dashboard) and one style.
    const script = /<script>([\s\S]*)<\/script>/.exec(html)![1]!;
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    expect(script).toContain('uPlot');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain(`script-src '${await cspHash(script)}'`);
    expect(csp).toContain(`style-src '${await cspHash(style)}'`);
    expect(csp).not.toMatch(/unsafe-inline|https?:/);
    expect((await get('/admin', { cookie, 'sec-fetch-dest': 'iframe' })).status).toBe(403);

    expect((await get('/admin/api/experiments', { cookie })).status).toBe(403);
    expect((await get('/admin/api/experiments', { cookie, 'x-tessera-csrf': 'wrong' })).status).toBe(403);
    expect(
      (
        await get('/admin/api/experiments', {
          cookie,
          'x-tessera-csrf': csrf!,
          'sec-fetch-site': 'cross-site',
        })
      ).status,
    ).toBe(403);
    expect((await get('/admin/api/experiments', { cookie, 'x-tessera-csrf': csrf! })).status).toBe(200);
    expect(
      (await get('/admin/api/experiments', { cookie: 'tsr_admin=forged', 'x-tessera-csrf': csrf! })).status,
    ).toBe(401);
  });

  it('charts this isolate’s page views and the models panel', async () => {
    for (let i = 0; i < 5; i++) expect((await get('/')).status).toBe(200);
    const live = (await (await get('/admin/api/live', bearer(stats))).json()) as {
      perSecond: { pages: number[]; p99: Array<number | null> };
    };
    expect(live.perSecond.pages.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(5);
    expect(live.perSecond.p99.some((v) => v !== null && v > 0)).toBe(true);
    const models = (await (await get('/admin/api/models', bearer(stats))).json()) as {
      registry: { store: string; versions: unknown[] };
      canary: { state: string };
    };
    expect(models.registry.store).toBeTruthy();
    expect(models.canary.state).toBe('none');
  });
});
