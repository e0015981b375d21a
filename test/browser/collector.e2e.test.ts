import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accept, type Received, startFixtureServer } from './fixture-server.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
/** How long to wait before concluding that nothing was sent. */
const QUIET_MS = 600;

let browser: Browser;
let server: Awaited<ReturnType<typeof startFixtureServer>>;
let context: BrowserContext;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`[tessera] [browser-e2e] ${CHROMIUM} is missing: run \`apt-get install -y chromium\``);
  }
  execFileSync(process.execPath, ['scripts/build-browser.mjs'], { cwd: root, stdio: 'inherit' });
  server = await startFixtureServer(`${root}dist/browser/tessera.min.js`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

beforeEach(async () => {
  server.received.length = 0;
  server.respond = accept;
  context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  // Tag beacon requests, so the test can tell the page-hide flush from a fetch.
  await context.addInitScript(() => {
    const send = Navigator.prototype.sendBeacon;
    Navigator.prototype.sendBeacon = function (url: string | URL, data?: BodyInit | null) {
      return send.call(this, `${url}?via=beacon`, data);
    };
  });
});

afterEach(async () => {
  await context?.close();
});

const events = (): Received['events'] => server.received.flatMap((r) => r.events);

async function until<T>(find: () => T | undefined, what: string, timeoutMs = 5_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(events())}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const eventOf = (type: string, item?: string) => () =>
  events().find((e) => e.type === type && (item === undefined || e.item === item));

async function grantConsent(): Promise<void> {
  await context.addCookies([{ name: 'tsr_consent', value: 'p1.a1', url: server.origin }]);
}

type TesseraWindow = { tessera: { flush(): Promise<void>; consentState(): Record<string, unknown> } };

async function interactEverywhere(page: Page): Promise<void> {
  // The script is installed and working, it just may not send: the silence below is not a load failure.
  expect(await page.evaluate(() => (window as unknown as TesseraWindow).tessera.consentState())).toEqual({
    necessary: true,
    personalization: false,
    analytics: false,
    chosen: false,
  });
  await page.click('[data-tessera-item="sku-2"] h3');
  await page.type('#email', 'ada.secret@example.com');
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await page.evaluate(() => (window as unknown as TesseraWindow).tessera.flush());
  await page.goto(`${server.origin}/other`);
  await new Promise((r) => setTimeout(r, QUIET_MS));
}

describe('browser collector in Chromium', () => {
  it('sends nothing in opt-in mode before the visitor chose', async () => {
    const page = await context.newPage();
    await page.goto(`${server.origin}/`);
    await interactEverywhere(page);
    expect(server.received).toEqual([]);
  });

  it('sends a consent event when accept is clicked, then collects after the reload', async () => {
    const page = await context.newPage();
    await page.goto(`${server.origin}/`);
    const reloaded = page.waitForEvent('load');
    await page.click('#accept');
    const consent = await until(eventOf('consent'), 'the consent event');
    // The choice as made: accept, not the device-only choice.
    expect(consent.props).toEqual({ personalization: true, analytics: true, device: false });
    await reloaded;
    const pageEvent = await until(eventOf('page'), 'the page event after reload');
    expect(pageEvent.props).toMatchObject({ path: '/' });
    expect(await until(eventOf('view', 'sku-main'), 'the main item view')).toMatchObject({ type: 'view' });
    expect(await page.isHidden('#banner')).toBe(true);
  });

  it('sends a click with the item id and slot for a click inside a product tile', async () => {
    await grantConsent();
    const page = await context.newPage();
    await page.goto(`${server.origin}/`);
    await page.click('[data-tessera-item="sku-2"] h3');
    const click = await until(eventOf('click', 'sku-2'), 'the tile click');
    expect(click.props).toEqual({ slot: 'recs' });
    expect(click.id).toMatch(/^[0-9a-f-]{32,36}$/);
    await page.click('[data-tessera-item="sku-3"] button');
    await until(eventOf('add_to_cart', 'sku-3'), 'the add_to_cart');
  });

  it('reports form fields by name and kind, never the typed text', async () => {
    await grantConsent();
    const page = await context.newPage();
    await page.goto(`${server.origin}/`);
    await page.type('#email', 'ada.secret@example.com');
    await page.selectOption('select[name=size]', 'M');
    await page.type('#q', 'hidden shoes');
    await Promise.all([page.waitForURL('**/other?**'), page.press('#q', 'Enter')]);
    const form = await until(eventOf('form'), 'the form event');
    expect(form.props).toEqual({ form: 'newsletter', field: 'email', kind: 'email' });
    await until(
      () => events().find((e) => e.type === 'form' && e.props?.field === 'size'),
      'the select field event',
    );
    const search = await until(eventOf('search'), 'the search event');
    expect(search.props).toEqual({ length: 12 });
    for (const r of server.received) {
      expect(r.body).not.toContain('ada.secret');
      expect(r.body).not.toContain('hidden shoes');
    }
  });

  it('flushes scroll depth and dwell time by beacon when the page is left', async () => {
    await grantConsent();
    const page = await context.newPage();
    await page.goto(`${server.origin}/`);
    await until(eventOf('page'), 'the page event');
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await page.waitForFunction(() => new Promise((r) => requestAnimationFrame(() => r(true))));
    expect(events().some((e) => e.type === 'scroll' || e.type === 'dwell')).toBe(false);
    await page.goto(`${server.origin}/other`);
    await until(eventOf('dwell'), 'the dwell event');
    const depths = events()
      .filter((e) => e.type === 'scroll')
      .map((e) => e.props?.depth);
    expect(depths).toEqual([25, 50, 75, 100]);
    const beaconed = server.received.filter((r) => r.url.includes('via=beacon')).flatMap((r) => r.events);
    expect(beaconed.map((e) => e.type)).toEqual(expect.arrayContaining(['scroll', 'dwell']));
    expect(eventOf('dwell')()?.props?.ms).toEqual(expect.any(Number));
  });

  it('sends nothing personal with Global Privacy Control, even in opt-out mode', async () => {
    // Control: without GPC, opt-out mode collects.
    const open = await context.newPage();
    await open.goto(`${server.origin}/?mode=opt-out`);
    await until(eventOf('page'), 'the page event without GPC');
    await context.close();
    // The control page's leave beacon (dwell, scroll) may land after the close: let it, before counting.
    await quietFor(500);

    server.received.length = 0;
    context = await browser.newContext();
    await context.addInitScript(() =>
      Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }),
    );
    const page = await context.newPage();
    await page.goto(`${server.origin}/?mode=opt-out`);
    await interactEverywhere(page);
    expect(server.received).toEqual([]);
  });
});

/** Resolves once the fixture has received nothing new for `ms` (at most 5 s). */
async function quietFor(ms: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  let seen = server.received.length;
  let since = Date.now();
  while (Date.now() - since < ms && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    if (server.received.length !== seen) {
      seen = server.received.length;
      since = Date.now();
    }
  }
}

/** Events in batches the fixture acknowledged (2xx), by id: what the server would keep after its dedupe. */
const acked = (): Map<string, Received['events'][number]> =>
  new Map(
    server.received
      .filter((r) => r.status < 300)
      .flatMap((r) => r.events)
      .map((e) => [e.id, e]),
  );
const seenIds = (): Set<string> => new Set(events().map((e) => e.id));
const ackedOf = (type: string, item?: string) => () =>
  [...acked().values()].find((e) => e.type === type && (item === undefined || e.item === item));

describe('browser collector delivery in Chromium', () => {
  it('delivers every event exactly once through three 503s and two 429s with Retry-After', async () => {
    await grantConsent();
    const plan = [503, 503, 503, 429, 429];
    server.respond = () => {
      const status = plan.shift() ?? 202;
      return status === 429 ? { status, retryAfter: '1' } : { status };
    };
    const page = await context.newPage();
    await page.goto(`${server.origin}/?retry=50`);
    for (const sku of ['sku-1', 'sku-2', 'sku-3']) {
      await page.click(`[data-tessera-item="${sku}"] h3`);
      await new Promise((r) => setTimeout(r, 150));
    }
    await until(ackedOf('click', 'sku-3'), 'the last click, acknowledged', 10_000);
    await page.evaluate(() => (window as unknown as TesseraWindow).tessera.flush());
    await until(
      () => (acked().size === seenIds().size ? true : undefined),
      'everything seen to be acknowledged',
    );
    expect(server.received.slice(0, 5).map((r) => r.status)).toEqual([503, 503, 503, 429, 429]);
    const delivered = [...acked().values()];
    const count = (type: string, item?: string) =>
      delivered.filter((e) => e.type === type && (item === undefined || e.item === item)).length;
    expect(count('page')).toBe(1);
    expect(count('view', 'sku-main')).toBe(1);
    for (const sku of ['sku-1', 'sku-2', 'sku-3']) expect(count('click', sku)).toBe(1);
    // The 429s said one second: no batch came back sooner.
    const [, , , first429, second429, next] = server.received.map((r) => r.at);
    expect((second429 ?? 0) - (first429 ?? 0)).toBeGreaterThanOrEqual(1000);
    expect((next ?? 0) - (second429 ?? 0)).toBeGreaterThanOrEqual(1000);
  }, 20_000);

  it('holds events while the browser is offline and sends them once it is back', async () => {
    await grantConsent();
    const page = await context.newPage();
    await page.goto(`${server.origin}/?retry=50`);
    await until(ackedOf('page'), 'the page event');
    await context.setOffline(true);
    await page.click('[data-tessera-item="sku-1"] h3');
    await page.click('[data-tessera-item="sku-2"] button');
    await new Promise((r) => setTimeout(r, 500));
    expect(eventOf('click', 'sku-1')()).toBeUndefined();
    await context.setOffline(false);
    await until(ackedOf('click', 'sku-1'), 'the click made offline', 8_000);
    await until(ackedOf('add_to_cart', 'sku-2'), 'the add_to_cart made offline', 8_000);
  }, 20_000);

  it('resends on the next page what a retry had not delivered before the navigation', async () => {
    await grantConsent();
    // Page one hears "come back in 30 s", so only the next page can deliver; beacons are lost.
    server.respond = () => ({ status: 429, retryAfter: '30' });
    const page = await context.newPage();
    await page.goto(`${server.origin}/?retry=50`);
    const first = await until(eventOf('page'), 'the refused page event');
    // Queued behind the Retry-After: never sent by this page's fetch.
    await page.click('[data-tessera-item="sku-1"] h3');
    server.respond = ({ url }) => (url.includes('via=beacon') ? { status: 503 } : accept());
    await page.goto(`${server.origin}/?retry=50`);
    const click = await until(ackedOf('click', 'sku-1'), 'the click, sent by the next page', 8_000);
    expect(acked().get(first.id)).toEqual(first);
    for (const id of [first.id, click.id]) {
      const carriers = server.received.filter((r) => r.status < 300 && r.events.some((e) => e.id === id));
      expect(carriers.map((r) => r.url)).toEqual(['/collect']);
    }
    expect([...acked().values()].filter((e) => e.type === 'page')).toHaveLength(2);
  }, 20_000);

  it('drops a batch the server calls malformed, with a console warning, and never resends it', async () => {
    await grantConsent();
    server.respond = () => ({ status: 400 });
    const page = await context.newPage();
    const warnings: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'warning') warnings.push(m.text());
    });
    await page.goto(`${server.origin}/blank?retry=50`);
    const refused = await until(eventOf('page'), 'the refused page event');
    server.respond = accept;
    await page.evaluate(() => (window as unknown as TesseraWindow).tessera.flush());
    await new Promise((r) => setTimeout(r, QUIET_MS));
    expect(events().filter((e) => e.id === refused.id)).toHaveLength(1);
    expect(warnings).toEqual([expect.stringMatching(/\[tessera\] dropped 400/)]);
  }, 20_000);

  it('keeps the newest 100 events while the server refuses, and reports how many it dropped', async () => {
    await grantConsent();
    server.respond = () => ({ status: 503 });
    const page = await context.newPage();
    await page.goto(`${server.origin}/blank?retry=50`);
    await until(eventOf('page'), 'the page event, refused');
    await page.evaluate(() => {
      const { tessera } = window as unknown as { tessera: { track(t: string, i: string): void } };
      for (let i = 0; i < 110; i++) tessera.track('view', `sku-${i}`);
    });
    server.respond = accept;
    const views = () => [...acked().values()].filter((e) => e.type === 'view').map((e) => e.item);
    await until(() => (views().length >= 100 ? true : undefined), 'the kept views', 8_000);
    // The page event and the ten oldest views went; the first delivered batch says so.
    expect(views()).toEqual(Array.from({ length: 100 }, (_, i) => `sku-${i + 10}`));
    expect(ackedOf('page')()).toBeUndefined();
    // Only this page's batches: a beacon from an earlier page may still arrive in between.
    const deliveries = server.received.filter(
      (r) => r.status < 300 && r.events.some((e) => e.type === 'view' && e.item?.startsWith('sku-')),
    );
    expect(deliveries.map((r) => r.dropped)).toEqual([11, 0, 0, 0, 0]);
  }, 20_000);
});
