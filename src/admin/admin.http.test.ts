/**
 * The admin API and the feedback loops over real HTTP on the Node runtime:
 * token checks, experiment statistics from real visits, promotion, and a
 * survey answer that moves a visitor into a segment on the next page.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, jarFetch } from '../../test/helpers/cookie-jar.js';
import { engineStores } from '../../test/helpers/engine-ports.js';
import { startNodeTarget } from '../../test/helpers/node-target.js';

const catalog = JSON.parse(
  readFileSync(new URL('../../examples/shop/catalog.json', import.meta.url), 'utf8'),
) as Array<{ id: string; category: string; price: number; in_stock: boolean }>;
const running = catalog.filter((p) => p.category === 'running' && p.in_stock).map((p) => p.id);
const TOKEN = 'admin-test-token-0123456789';
let target: Awaited<ReturnType<typeof startNodeTarget>>;
let base: string;

beforeAll(async () => {
  process.env.TESSERA_ADMIN_TOKEN = TOKEN;
  target = await startNodeTarget({ store: 'memory' });
  base = target.baseUrl;
  // The demo's experiment ships paused; switch it on as an operator would.
  const r = await api('POST', 'experiments/recs-strategy/resume');
  expect(r.status).toBe(200);
});

afterAll(async () => {
  delete process.env.TESSERA_ADMIN_TOKEN;
  await target?.close();
});

function api(method: string, path: string, body?: unknown, token = TOKEN): Promise<Response> {
  return fetch(`${base}/admin/api/${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

let seq = 0;
async function collect(jar: CookieJar, events: Array<Record<string, unknown>>): Promise<Response> {
  const now = Date.now();
  return jarFetch(jar, `${base}/collect`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ events: events.map((e) => ({ id: `t-${seq++}`, ts: now, ...e })) }),
  });
}

async function consentingVisitor(): Promise<CookieJar> {
  const jar = new CookieJar();
  expect(
    (await collect(jar, [{ type: 'consent', props: { personalization: true, analytics: true } }])).status,
  ).toBe(202);
  return jar;
}

describe('admin API', () => {
  it('answers 401 without a token and with a wrong one', async () => {
    expect((await fetch(`${base}/admin/api/experiments`)).status).toBe(401);
    expect((await api('GET', 'experiments', undefined, 'wrong')).status).toBe(401);
    expect((await fetch(`${base}/admin`)).status).toBe(401);
  });

  it('trades ?token= for a session cookie, then serves the dashboard on it', async () => {
    const res = await fetch(`${base}/admin?token=${TOKEN}`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    const cookie = res.headers.getSetCookie()[0]!;
    expect(cookie).toMatch(/^tsr_admin=.*HttpOnly; SameSite=Strict/);
    const page = await fetch(`${base}/admin`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<svg');
  });

  it('counts each visitor once, keeps their arm across pages, and attributes purchases', async () => {
    const arms: string[] = [];
    for (let i = 0; i < 6; i++) {
      const jar = await consentingVisitor();
      await jarFetch(jar, `${base}/`);
      await jarFetch(jar, `${base}/product/p-0001`);
      await jarFetch(jar, `${base}/`);
      await collect(jar, [{ type: 'purchase', item: 'p-0002' }]);
    }
    const res = await api('GET', 'experiments/recs-strategy');
    const e = (await res.json()) as {
      arms: Array<{ arm: string; visitors: number; converted: number; revenue: number }>;
    };
    for (const a of e.arms) arms.push(a.arm);
    expect(arms).toEqual(['popular', 'personalized']);
    expect(e.arms.reduce((s, a) => s + a.visitors, 0)).toBe(6);
    expect(e.arms.reduce((s, a) => s + a.converted, 0)).toBe(6);
    const price = catalog.find((p) => p.id === 'p-0002')!.price;
    expect(e.arms.reduce((s, a) => s + a.revenue, 0)).toBeCloseTo(6 * price, 6);
    // One exposure record per visitor in the event log (id exp:recs-strategy).
    const log = engineStores(target.app.engine).events;
    const exposures = (await log.read(0, 10_000)).events.filter((x) => x.id === 'exp:recs-strategy');
    expect(exposures).toHaveLength(6);
  });

  it('promotes a variant: everybody gets it and the API says so', async () => {
    const res = await api('POST', 'experiments/recs-strategy/promote', { variant: 'personalized' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: 'promoted',
      promoted: 'personalized',
      promotedBy: 'command',
    });
    expect((await api('POST', 'experiments/recs-strategy/promote', { variant: 'nope' })).status).toBe(400);
    expect((await api('POST', 'experiments/nope/promote', { variant: 'x' })).status).toBe(404);
    await api('POST', 'experiments/recs-strategy/resume');
  });

  it('reports segments with sizes and the decision latency', async () => {
    const seg = (await (await api('GET', 'segments')).json()) as {
      segments: Array<{ id: string; size: number }>;
    };
    expect(seg.segments.map((s) => s.id)).toContain('marathon-goal');
    const lat = (await (await api('GET', 'latency')).json()) as { count: number; p99: number };
    expect(lat.count).toBeGreaterThan(0);
    expect(lat.p99).toBeGreaterThan(0);
  });
});

describe('feedback loops over HTTP', () => {
  it('a survey answer becomes a trait that a segment rule uses on the next page', async () => {
    const jar = await consentingVisitor();
    const before = await jarFetch(jar, `${base}/`);
    expect(before.headers.get('x-tessera-segments') ?? '').not.toContain('marathon-goal');
    expect(await before.text()).not.toContain('data-hero="running"');
    await collect(jar, [
      { type: 'form', props: { form: 'survey', survey: { question: 'goal', answer: 'marathon' } } },
    ]);
    const after = await jarFetch(jar, `${base}/`);
    expect(after.headers.get('x-tessera-segments')).toContain('marathon-goal');
    expect(await after.text()).toContain('data-hero="running"');
  });

  it('"not interested" in a category removes it from the next recommendations', async () => {
    const jar = await consentingVisitor();
    const [a, b, c, other] = running;
    for (const id of [a, b, c]) await jarFetch(jar, `${base}/product/${id}`);
    const categoryOf = async (): Promise<string[]> => {
      const html = await (await jarFetch(jar, `${base}/product/${other}`)).text();
      const slot = html.slice(html.indexOf('data-tessera-slot="recommended"'));
      return [...slot.matchAll(/data-category="([^"]+)"/g)].map((m) => m[1]!);
    };
    expect(await categoryOf()).toContain('running');
    await collect(jar, [
      { type: 'feedback', item: a, props: { kind: 'not_interested', target: 'category' } },
    ]);
    expect(await categoryOf()).not.toContain('running');
  });
});
