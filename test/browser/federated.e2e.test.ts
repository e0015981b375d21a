/**
 * On-device learning in Chromium: two dozen pages, each its own visitor who
 * chose "learn on my device only" (the `p0.a0.d1` consent cookie). The
 * collector lazily loads /tessera-federated.js; each page keeps its history
 * in IndexedDB, trains locally and takes part in one secure-aggregation
 * round through the edge's /federated/* route. The fixture records every
 * /collect body and every /federated/submit body.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteContext } from '../../src/core/engine-api.js';
import { FederatedCoordinator } from '../../src/federated/coordinator.js';
import { federatedRoute } from '../../src/federated/routes.js';

/** What the module installs on window (src/browser/federated/entry.ts). */
interface FlWindow {
  tesseraFederated: {
    record(item: string, type: string): Promise<void>;
    train(): Promise<number | undefined>;
    refresh(): Promise<string[]>;
    state(): Promise<{ history: Record<string, number>; user: { vector: number[] } }>;
  };
}

const root = fileURLToPath(new URL('../..', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const PAGES = 24;
const ITEMS = Array.from({ length: 40 }, (_, i) => `sku-${i}`);

let browser: Browser;
let server: Server;
let origin = '';
const collected: string[] = [];
const submitted: string[] = [];
const coordinator = new FederatedCoordinator({
  items: ITEMS,
  dim: 8,
  clip: 1,
  clientsPerRound: PAGES,
  epsilon: Number.POSITIVE_INFINITY,
  delta: 1e-5,
  rounds: 3,
  local: { epochs: 2, learningRate: 0.1, alpha: 1, lambda: 1 },
});
const route = federatedRoute(coordinator);

const page = (item: string): string => `<!doctype html><meta charset="utf-8"><title>shop</title>
<script src="/tessera.js" data-consent-mode="opt-in" defer></script>
<main data-tessera-item="${item}" data-tessera-main><h1>${item}</h1></main>
<section data-tessera-slot="recs"><a data-tessera-item="sku-0">server list</a></section>`;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`[tessera] [browser-e2e] ${CHROMIUM} is missing`);
  execFileSync(process.execPath, ['scripts/build-browser.mjs'], { cwd: root, stdio: 'inherit' });
  const assets: Record<string, Buffer> = {
    '/tessera.js': readFileSync(`${root}dist/browser/tessera.min.js`),
    '/tessera-federated.js': readFileSync(`${root}dist/browser/tessera-federated.min.js`),
  };
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fixture');
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d.toString('utf8');
    });
    req.on('end', () => {
      void (async () => {
        if (url.pathname === '/collect') {
          collected.push(body);
          res.writeHead(202).end();
        } else if (url.pathname.startsWith('/federated/')) {
          if (url.pathname === '/federated/submit') submitted.push(body);
          const reply = await route.handle(
            {
              method: req.method ?? 'GET',
              url: url.href,
              headers: { get: () => null },
              text: async () => body,
            },
            {} as RouteContext,
            url.pathname,
          );
          res.writeHead(reply.status, reply.headers).end(reply.body as string);
        } else if (assets[url.pathname]) {
          res.writeHead(200, { 'content-type': 'text/javascript' }).end(assets[url.pathname]);
        } else {
          res
            .writeHead(200, { 'content-type': 'text/html' })
            .end(page(url.searchParams.get('item') ?? 'sku-1'));
        }
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
});

const slot = (p: Page): Promise<string[]> =>
  p.$$eval('[data-tessera-slot][data-tessera-source=device] [data-tessera-item]', (els) =>
    els.map((e) => e.getAttribute('data-tessera-item') ?? ''),
  );

describe('on-device learning in Chromium', () => {
  it('runs a masked round over two dozen visitors who never send an event', async () => {
    const pages: Page[] = [];
    for (let i = 0; i < PAGES; i++) {
      const context = await browser.newContext();
      await context.addCookies([{ name: 'tsr_consent', value: 'p0.a0.d1', url: origin }]);
      const p = await context.newPage();
      // Visitors in two taste groups: even pages look at low ids, odd at high ones.
      await p.goto(`${origin}/?item=sku-${i % 2 === 0 ? i % 10 : 30 + (i % 10)}`);
      pages.push(p);
    }
    // The module loaded lazily, trained nothing yet, and filled the slot from the device.
    const before: string[][] = [];
    for (const p of pages) {
      await p.waitForFunction(() => document.querySelector('[data-tessera-source=device]'), undefined, {
        timeout: 30_000,
      });
      before.push(await slot(p));
    }
    // Each visitor also clicks a neighbour of their item, so their history has two entries.
    for (const [i, p] of pages.entries())
      await p.evaluate(
        (item) => (window as unknown as FlWindow).tesseraFederated.record(item, 'add_to_cart'),
        `sku-${i % 2 === 0 ? (i % 10) + 1 : 31 + (i % 9)}`,
      );
    const rounds = await Promise.all(
      pages.map((p) => p.evaluate(() => (window as unknown as FlWindow).tesseraFederated.train())),
    );
    expect(rounds).toEqual(Array(PAGES).fill(0));
    expect(coordinator.history).toEqual([
      { round: 0, survivors: PAGES, dropped: 0, epsilon: Number.POSITIVE_INFINITY },
    ]);
    const after = await Promise.all(
      pages.map((p) => p.evaluate(() => (window as unknown as FlWindow).tesseraFederated.refresh())),
    );
    const changed = after.filter((ids, i) => JSON.stringify(ids) !== JSON.stringify(before[i])).length;
    expect(changed).toBeGreaterThan(PAGES / 2);
    // The device keeps its history and vector; the server got no event from these visitors…
    const state = await pages[0]!.evaluate(() => (window as unknown as FlWindow).tesseraFederated.state());
    expect(Object.keys(state.history).length).toBe(2);
    expect(state.user.vector).toHaveLength(8);
    const events = collected.flatMap((b) => (JSON.parse(b) as { events: unknown[] }).events);
    expect(events).toEqual([]);
    // …and only masked updates: no submitted body names an item or carries a small-integer vector.
    expect(submitted).toHaveLength(PAGES);
    for (const b of submitted) {
      // The masked vector is base64url of uniform words, where "sku-" turns up by chance (about one run in
      // 300): look for item ids in the rest of the body and in the vector's bytes, not in its base64 text.
      const { masked, ...rest } = JSON.parse(b) as { masked: string };
      expect(JSON.stringify(rest)).not.toMatch(/sku-/);
      const bytes = Buffer.from(masked, 'base64url');
      expect(bytes.toString('latin1')).not.toMatch(/sku-/);
      const words = new Uint32Array(new Uint8Array(bytes).buffer);
      // A quantized update of norm ≤ 1 at this scale is tiny ints (near 0 or 2^32); masked words are uniform.
      const small = words.filter((w) => w < 2 ** 24 || w > 2 ** 32 - 2 ** 24).length;
      expect(small / words.length).toBeLessThan(0.1);
    }
  }, 180_000);
});
