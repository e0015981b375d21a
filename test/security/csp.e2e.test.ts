/**
 * The Content-Security-Policy in Chromium: the demo shop's consent, browse
 * and personalize flow and the admin dashboard run without one violation
 * (the browser reports each as a console error and a
 * `securitypolicyviolation` event; both are collected).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium.js';
import { engineStores } from '../helpers/engine-ports.js';
import { type SecurityTarget, startSecurityApp } from './app.js';

const ADMIN = 'csp-suite-admin-token-0123456789abcdef';
let browser: Browser;
let t: SecurityTarget;

beforeAll(async () => {
  t = await startSecurityApp({ adminToken: ADMIN });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function watched(): Promise<{ page: Page; violations: string[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const violations: string[] = [];
  await page.exposeFunction('__cspViolation', (v: string) => violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __cspViolation(v: string): void }).__cspViolation(
        `${e.violatedDirective} ${e.blockedURI}`,
      );
    });
  });
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  return { page, violations };
}

describe('Content-Security-Policy in Chromium', () => {
  it('the shop flow (consent, category, product, personalized home) triggers no violation', async () => {
    const { page, violations } = await watched();
    const res = await page.goto(`${t.base}/`);
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
    await Promise.all([
      page.waitForEvent('load'),
      page.locator('[data-tessera-consent-banner] [data-tessera-consent="accept"]').click(),
    ]);
    expect((await page.context().cookies()).map((c) => c.name)).toContain('tsr_id');
    await Promise.all([
      page.waitForURL('**/category/running'),
      page.locator('header nav a[href="/category/running"]').first().click(),
    ]);
    const tile = page.locator('main [data-tessera-item]').first();
    const id = await tile.getAttribute('data-tessera-item');
    await Promise.all([page.waitForURL(`**/product/${id}`), tile.click()]);
    await Promise.all([page.waitForURL(`${t.base}/`), page.locator('a.logo').click()]);
    // The collector ran (it sends views on its own): the script was allowed.
    await expect.poll(async () => (await engineStores(t.app.engine).events.count()) > 1).toBe(true);
    expect(violations).toEqual([]);
    await page.context().close();
  });

  it('the dashboard renders its inline script and style under the hash-only policy', async () => {
    const { page, violations } = await watched();
    await page.goto(`${t.base}/admin?token=${ADMIN}`);
    await expect.poll(() => page.locator('[data-experiment]').count()).toBeGreaterThan(0);
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe('rgb(246, 247, 249)');
    expect(violations).toEqual([]);
    await page.context().close();
  });

  it('a script injected inline into a shop page is blocked and reported', async () => {
    const { page, violations } = await watched();
    await page.goto(`${t.base}/`);
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__injected = true';
      document.body.append(s);
    });
    await expect.poll(() => violations.length).toBeGreaterThan(0);
    expect(
      await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected),
    ).toBeUndefined();
    await page.context().close();
  });
});
