/**
 * The admin dashboard in Chromium: visitors take part in the demo's
 * experiment over HTTP, then the page (opened with the admin token, which
 * leaves the address bar at once) shows the experiment's lift, and clicking
 * "promote" makes a variant the default. A script on a shop page of the same
 * origin, in the same browser, cannot use the admin's session.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium.js';
import { CookieJar, jarFetch } from '../helpers/cookie-jar.js';
import { startNodeTarget } from '../helpers/node-target.js';

const TOKEN = 'dashboard-e2e-token-0123456789';
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
async function visitor(buys: boolean): Promise<void> {
  const jar = new CookieJar();
  const send = (events: Array<Record<string, unknown>>) =>
    jarFetch(jar, `${target.baseUrl}/collect`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events: events.map((e) => ({ id: `e2e-${seq++}`, ts: Date.now(), ...e })) }),
    });
  await send([{ type: 'consent', props: { personalization: true, analytics: true } }]);
  await jarFetch(jar, `${target.baseUrl}/`);
  if (buys) await send([{ type: 'purchase', item: 'p-0001' }]);
}

beforeAll(async () => {
  process.env.TESSERA_ADMIN_TOKEN = TOKEN;
  target = await startNodeTarget({ store: 'memory' });
  expect((await api('experiments/recs-strategy/resume', 'POST')).status).toBe(200);
  for (let i = 0; i < 40; i++) await visitor(i % 3 === 0);
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
    for (const name of ['traffic', 'latency', 'ctr', 'conversion'])
      await page.locator(`[data-chart="${name}"] canvas`).waitFor();
    const sum = async (name: string) =>
      Number(await page.locator(`[data-chart="${name}"]`).getAttribute('data-sum'));
    const points = async (name: string) =>
      Number(await page.locator(`[data-chart="${name}"]`).getAttribute('data-points'));
    expect(await sum('traffic')).toBeGreaterThanOrEqual(40); // 40 home pages, plus their events
    expect(await points('latency')).toBeGreaterThan(0);
    expect(await points('conversion')).toBeGreaterThan(0); // both arms, with their intervals
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
