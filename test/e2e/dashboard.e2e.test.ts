/**
 * The admin dashboard in Chromium: visitors take part in the demo's
 * experiment over HTTP, then the page (opened with the admin token, which
 * leaves the address bar at once) shows the experiment's lift, and clicking
 * "promote" makes a variant the default. A script on a shop page of the same
 * origin, in the same browser, cannot use the admin's session. The models
 * panel's rollback moves production back and the node serves it; the
 * profile lookup shows a visitor found by their user id, with the decision's
 * trace; segment sizes and the experiment's history are drawn.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium.js';
import { CookieJar, jarFetch } from '../helpers/cookie-jar.js';
import { startNodeTarget } from '../helpers/node-target.js';

const TOKEN = 'dashboard-e2e-token-0123456789';
const PHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148';
const LOOKUP_USER = 'lookup-user-7';
let browser: Browser;
let target: Awaited<ReturnType<typeof startNodeTarget>>;

async function api(path: string, method = 'GET', body?: unknown): Promise<Response> {
  return fetch(`${target.baseUrl}/admin/api/${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
}

let seq = 0;
async function visitor(
  buys: boolean,
  o: { phone?: boolean; userId?: string; views?: string[] } = {},
): Promise<void> {
  const jar = new CookieJar();
  const send = (events: Array<Record<string, unknown>>) =>
    jarFetch(jar, `${target.baseUrl}/collect`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events: events.map((e) => ({ id: `e2e-${seq++}`, ts: Date.now(), ...e })) }),
    });
  await send([{ type: 'consent', props: { personalization: true, analytics: true } }]);
  if (o.userId) await send([{ type: 'identify', props: { userId: o.userId } }]);
  await jarFetch(jar, `${target.baseUrl}/`, o.phone ? { headers: { 'user-agent': PHONE } } : {});
  if (o.views) await send(o.views.map((item) => ({ type: 'view', item })));
  if (buys) await send([{ type: 'purchase', item: 'p-0001' }]);
}

beforeAll(async () => {
  process.env.TESSERA_ADMIN_TOKEN = TOKEN;
  target = await startNodeTarget({ store: 'memory' });
  expect((await api('experiments/recs-strategy/resume', 'POST')).status).toBe(200);
  for (let i = 0; i < 40; i++) await visitor(i % 3 === 0, { phone: i % 2 === 0 });
  await visitor(true, { userId: LOOKUP_USER });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  delete process.env.TESSERA_ADMIN_TOKEN;
  await browser?.close();
  await target?.close();
});

describe('admin dashboard in Chromium', () => {
  it('draws the live charts (uPlot, inlined under the hash-only CSP) with the traffic the visitors made', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content.Security.Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    const opened = await page.goto(`${target.baseUrl}/admin?token=${TOKEN}`);
    const csp = opened!.headers()['content-security-policy'];
    expect(csp).toMatch(/script-src 'sha256-[^']+'; style-src 'sha256-[^']+'/);
    expect(csp).not.toMatch(/unsafe|https?:/);
    for (const name of ['traffic', 'latency', 'ctr', 'conversion', 'segments'])
      await page.locator(`[data-chart="${name}"] canvas`).waitFor();
    const sum = async (name: string) =>
      Number(await page.locator(`[data-chart="${name}"]`).getAttribute('data-sum'));
    const points = async (name: string) =>
      Number(await page.locator(`[data-chart="${name}"]`).getAttribute('data-points'));
    expect(await sum('traffic')).toBeGreaterThanOrEqual(40); // 40 home pages, plus their events
    expect(await points('latency')).toBeGreaterThan(0);
    expect(await points('conversion')).toBeGreaterThan(0); // both arms, with their intervals
    expect(await sum('segments')).toBeGreaterThanOrEqual(20); // 20 distinct phones in the "mobile" segment
    const live = (await (await api('live')).json()) as {
      segments: { series: Array<{ segment: string; visitors: number[] }> };
    };
    const mobile = live.segments.series.find((s) => s.segment === 'mobile');
    expect(mobile?.visitors.reduce((a, b) => a + b, 0)).toBe(20);
    // Something is drawn: the traffic canvas has coloured pixels beyond the axes' grey.
    const coloured = await page.locator('[data-chart="traffic"] canvas').evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3]! > 0 && Math.abs(d[i]! - d[i + 2]!) > 60) n++;
      return n;
    });
    expect(coloured).toBeGreaterThan(50);
    expect(await page.locator('[data-pages-minute]').textContent()).toMatch(/^[1-9]\d*$/);
    expect(await page.locator('[data-canary]').textContent()).toBe('none');
    expect(violations).toEqual([]);
    await context.close();
  });

  it('shows the experiment’s lift and promotes a variant with one click', async () => {
    const expected = (await (await api('experiments/recs-strategy')).json()) as {
      comparisons: Array<{ lift: number }>;
    };
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${target.baseUrl}/admin?token=${TOKEN}`);
    expect(page.url()).toBe(`${target.baseUrl}/admin`);
    const lift = page.locator('[data-lift="recs-strategy"]');
    await lift.waitFor();
    const shown = Number.parseFloat((await lift.textContent()) ?? 'NaN');
    expect(shown).toBeCloseTo(expected.comparisons[0]!.lift * 100, 1);
    expect(await page.locator('[data-experiment="recs-strategy"] svg').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-latency-p99]').textContent()).toMatch(/p99 \d+\.\d+ ms/);

    await page.locator('button[data-promote="recs-strategy"][data-variant="personalized"]').click();
    await expect
      .poll(() => page.locator('[data-status="recs-strategy"]').textContent())
      .toContain('promoted → personalized');
    const after = (await (await api('experiments/recs-strategy')).json()) as { promoted: string };
    expect(after.promoted).toBe('personalized');
    await context.close();
  });

  it('lists the experiment’s history: resumed, then promoted, by the token that did it', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${target.baseUrl}/admin?token=${TOKEN}`);
    const history = page.locator('[data-history="recs-strategy"] li');
    await history.first().waitFor();
    const lines = await history.allTextContents();
    expect(lines.some((l) => /running/.test(l) && /env:TESSERA_ADMIN_TOKEN/.test(l))).toBe(true);
    // The audit trail names who; the ledger's register knows the arm: one entry.
    const promoted = lines.filter((l) => /promoted/.test(l));
    expect(promoted).toHaveLength(1);
    expect(promoted[0]).toMatch(/promoted → personalized .*by env:TESSERA_ADMIN_TOKEN/);
    await context.close();
  });

  it('rolls production back with the models panel’s button, and this node serves it at once', async () => {
    const before = (await (await api('models')).json()) as { registry: { production: string } };
    const first = before.registry.production;
    // A second production version, trained on data the first did not have.
    for (let i = 0; i < 6; i++) await visitor(false, { views: ['p-0003', 'p-0004', 'p-0005'] });
    const second = (await target.app.train()).version;
    expect(second).not.toBe(first);
    const context = await browser.newContext();
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content.Security.Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${target.baseUrl}/admin?token=${TOKEN}`);
    await expect.poll(() => page.locator('[data-model-production]').textContent()).toBe(second);
    await page.locator('button[data-model-action="rollback"]').click();
    await expect.poll(() => page.locator('[data-model-production]').textContent()).toBe(first);
    expect(await page.locator('[data-model-current]').textContent()).toBe(first);
    expect(await page.locator('#model-result').textContent()).toContain(`production is ${first}`);
    expect(target.app.engine.models.current()?.version).toBe(first);
    expect((await target.app.modelStore.aliases()).production).toBe(first);
    expect(violations).toEqual([]);
    await context.close();
  });

  it('looks a visitor up by their user id: profile summary and the decision’s trace, nothing recorded', async () => {
    const exposedBefore = (
      (await (await api('experiments/recs-strategy')).json()) as { arms: Array<{ visitors: number }> }
    ).arms.reduce((a, b) => a + b.visitors, 0);
    const eventsBefore = await target.eventCount();
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${target.baseUrl}/admin?token=${TOKEN}`);
    await page.locator('#lookup input[name="id"]').fill(LOOKUP_USER);
    await page.locator('#lookup input[name="path"]').fill('/product/p-0002');
    await page.locator('#lookup button').click();
    const card = page.locator('[data-lookup-visitor]');
    await card.waitFor();
    expect(await card.count()).toBe(1);
    expect(await card.textContent()).toContain('personalization yes');
    expect(await card.textContent()).toContain('/product/p-0002');
    expect(await page.locator('[data-lookup-source]').textContent()).toMatch(/^(cache|store)$/);
    expect(await card.locator('pre').textContent()).toContain('"step": "segments"');
    const exposedAfter = (
      (await (await api('experiments/recs-strategy')).json()) as { arms: Array<{ visitors: number }> }
    ).arms.reduce((a, b) => a + b.visitors, 0);
    expect(exposedAfter).toBe(exposedBefore);
    expect(await target.eventCount()).toBe(eventsBefore); // no view of the product page was recorded
    await context.close();
  });

  it('keeps a shop page’s script out of the admin API and page, though the admin’s session cookie exists', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${target.baseUrl}/admin?token=${TOKEN}`);
    await page.locator('[data-experiment="recs-strategy"]').waitFor();
    await page.goto(`${target.baseUrl}/`);
    const statuses = await page.evaluate(async () => {
      const headers = { 'x-tessera-csrf': '1' };
      const read = await fetch('/admin/api/profiles/anyone', { headers });
      const pause = await fetch('/admin/api/experiments/recs-strategy/pause', { method: 'POST', headers });
      const dashboard = await fetch('/admin');
      return [read.status, pause.status, dashboard.status];
    });
    expect(statuses).toEqual([403, 403, 403]);
    // Opened as a page from the shop, the dashboard is in its own browsing context group (COOP).
    const opened = await page.evaluate(async () => {
      const w = window.open('/admin');
      await new Promise((r) => setTimeout(r, 1500));
      try {
        return w?.document.querySelector('meta[name="tessera-csrf"]')?.getAttribute('content') ?? 'no page';
      } catch {
        return 'no page';
      }
    });
    expect(opened).toBe('no page');
    await context.close();
  });
});
