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
