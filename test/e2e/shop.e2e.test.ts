/**
 * The vertical slice as a visitor lives it, in Chromium: a new visitor sees
 * default content, accepts personalization, views three running products by
 * clicking through pages, and finds the home page speaking to runners; then
 * declines, and personalization and profile writes stop.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium.js';
import { startNodeTarget } from '../helpers/node-target.js';

let browser: Browser;
let target: Awaited<ReturnType<typeof startNodeTarget>>;

beforeAll(async () => {
  target = await startNodeTarget({ store: 'sqlite' });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await target?.close();
});

async function hero(page: Page): Promise<string | null> {
  return page.locator('[data-tessera-slot="hero"] [data-hero]').first().getAttribute('data-hero');
}

async function recommendedCategories(page: Page): Promise<string[]> {
  return page
    .locator('[data-tessera-slot="recommended"] [data-tessera-personalized] [data-tessera-item]')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-category') ?? ''));
}

async function cookieNames(page: Page): Promise<string[]> {
  return (await page.context().cookies()).map((c) => c.name);
}

describe('demo shop in Chromium', () => {
  it('personalizes after three running products, and stops when the visitor declines', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${target.baseUrl}/`);
    expect(await hero(page)).toBe('default');
    expect(await recommendedCategories(page)).toEqual([]);
    expect(await cookieNames(page)).toEqual([]);

    // Accept in the consent banner: the collector records it and reloads.
    await Promise.all([
      page.waitForEvent('load'),
      page.locator('[data-tessera-consent-banner] [data-tessera-consent="accept"]').click(),
    ]);
    expect(await cookieNames(page)).toEqual(expect.arrayContaining(['tsr_id', 'tsr_consent']));
    await expect.poll(() => page.locator('[data-tessera-consent-banner]').isHidden()).toBe(true);

    // Three running products, each reached by clicking: nav → category → tile.
    for (let i = 0; i < 3; i++) {
      await Promise.all([
        page.waitForURL('**/category/running'),
        page.locator('header nav a[href="/category/running"]').first().click(),
      ]);
      const tile = page.locator('main [data-tessera-item]').nth(i * 2);
      const id = await tile.getAttribute('data-tessera-item');
      await Promise.all([page.waitForURL(`**/product/${id}`), tile.click()]);
      await expect.poll(() => page.locator('[data-tessera-main]').getAttribute('data-tessera-item')).toBe(id);
    }

    await Promise.all([page.waitForURL(`${target.baseUrl}/`), page.locator('a.logo').click()]);
    expect(await hero(page)).toBe('running');
    const cats = await recommendedCategories(page);
    expect(cats).toHaveLength(10);
    expect(cats.filter((c) => c === 'running').length).toBeGreaterThanOrEqual(6);
    const profilesWhilePersonalized = await target.profileCount();
    expect(profilesWhilePersonalized).toBe(1);

    // Decline from the footer's privacy choices: the profile is forgotten.
    await Promise.all([
      page.waitForEvent('load'),
      page.locator('footer [data-tessera-consent="decline"]').click(),
    ]);
    expect(await cookieNames(page)).toEqual(['tsr_consent']);
    expect(await hero(page)).toBe('default');
    expect(await recommendedCategories(page)).toEqual([]);
    expect(await target.profileCount()).toBe(0);
    const eventsAfterDecline = await target.eventCount();

    // Browsing on changes nothing: no profile, no events, no identifier.
    await Promise.all([
      page.waitForURL('**/category/running'),
      page.locator('header nav a[href="/category/running"]').first().click(),
    ]);
    const tile = page.locator('main [data-tessera-item]').first();
    await Promise.all([page.waitForURL('**/product/**'), tile.click()]);
    await page.waitForTimeout(300);
    await Promise.all([page.waitForURL(`${target.baseUrl}/`), page.locator('a.logo').click()]);
    expect(await hero(page)).toBe('default');
    expect(await target.profileCount()).toBe(0);
    expect(await target.eventCount()).toBe(eventsAfterDecline);
    expect(await cookieNames(page)).toEqual(['tsr_consent']);
    await context.close();
  }, 60_000);
});
