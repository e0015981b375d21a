/**
 * The demo shop titles its recommendation list by what it is: "Popular now"
 * while it knows nothing of the visitor, "Recommended for you" once the list
 * draws on what they did (the slot's `anonymousTitle` and `title`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, jarFetch } from '../helpers/cookie-jar.js';
import { consentingVisitor, type SecurityTarget, startSecurityApp } from '../security/app.js';

let t: SecurityTarget;
beforeAll(async () => {
  t = await startSecurityApp();
}, 60_000);
afterAll(async () => {
  await t?.close();
});

async function titleOf(jar: CookieJar): Promise<string | undefined> {
  const html = await (await jarFetch(jar, `${t.base}/`)).text();
  const slot = html.slice(html.indexOf('data-tessera-slot="recommended"'));
  return /<h2>([^<]*)<\/h2>/.exec(slot)?.[1];
}

describe('the recommendation list title', () => {
  it('says "Popular now" to a visitor it knows nothing about', async () => {
    expect(await titleOf(new CookieJar())).toBe('Popular now');
  });

  it('says "Popular now" to a visitor who consented but did nothing yet', async () => {
    expect(await titleOf(await consentingVisitor(t.base))).toBe('Popular now');
  });

  it('says "Recommended for you" once the list draws on what the visitor viewed', async () => {
    const jar = await consentingVisitor(t.base);
    const running = [...t.app.engine.catalog.values()].filter((p) => p.category === 'running');
    for (const p of running.slice(0, 2)) await jarFetch(jar, `${t.base}/product/${p.id}`);
    expect(await titleOf(jar)).toBe('Recommended for you');
  });
});
