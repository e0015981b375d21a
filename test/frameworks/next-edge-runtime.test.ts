/**
 * `tessera/next` as examples/next/middleware.ts uses it, bundled as the
 * runtime bundles are (scripts/build-runtime.mjs: lol-html in WebAssembly
 * embedded) and run in Vercel's `edge-runtime` behind a stand-in for Next's
 * routing (next-edge-entry.ts), in front of a loopback Node server playing
 * the app's renderer: it serves the demo shop's pages (the slot markup the
 * example's page uses), sets a session cookie of its own, and the trained
 * model. The HTTP behaviour suite runs unchanged, then the framework checks.
 * Next itself is not installed and not run here.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainShopModel } from '../../examples/cloudflare/train-model.js';
import { loadShop, type Shop } from '../../examples/shop/shop.mjs';
// @ts-expect-error plain .mjs build script without types
import { buildCollector } from '../../scripts/build-worker.mjs';
import { RENDER_HEADER, tessera } from '../../src/frameworks/next/index.js';
import { bundleForEdgeRuntime, startEdgeRuntimeTarget } from '../helpers/edge-runtime.js';
import type { Target } from '../helpers/node-target.js';
import { httpBehaviourSuite } from '../http/behaviour.js';
import { root } from '../runtimes/spawn-runtime.js';
import { frameworkSuite } from './framework-suite.js';
import { running, shopForFramework } from './shop-options.js';

let shop: Shop;
let model: ArrayBuffer;
let code: string;
let collector: string;
let renderer: { url: string; seen: string[]; close(): Promise<void> };

/** The app's renderer: the shop's pages as Next would render them, its own cookie and header, a JSON route. */
async function startRenderer(): Promise<typeof renderer> {
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/model.tsra') seen.push(`${req.headers[RENDER_HEADER] ?? '-'} ${url.pathname}`);
    if (url.pathname === '/model.tsra') return res.end(Buffer.from(model));
    if (url.pathname === '/tessera.js') {
      // Next serves the collector from the example's public/ folder.
      res.setHeader('content-type', 'text/javascript; charset=utf-8');
      return res.end(collector);
    }
    if (url.pathname === '/api/ping') {
      res.setHeader('content-type', 'application/json');
      return res.end('{"pong":true}');
    }
    const asset = shop.assets[url.pathname];
    if (asset) {
      res.setHeader('content-type', asset.type);
      return res.end(asset.body);
    }
    const page = shop.render(url.pathname)!;
    if (url.searchParams.has('login')) res.setHeader('set-cookie', 'app_session=abc123; Path=/; HttpOnly');
    res.writeHead(page.status, { 'content-type': 'text/html; charset=utf-8', 'x-app': 'next' });
    res.end(page.html);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

beforeAll(async () => {
  shop = await loadShop();
  model = await trainShopModel();
  collector = await (buildCollector as () => Promise<string>)();
  renderer = await startRenderer();
  // What `npm i tessera` gives the example: the package's entry points, here from source.
  code = await bundleForEdgeRuntime('test/frameworks/next-edge-entry.ts', {
    'tessera/next': join(root, 'src/frameworks/next/index.ts'),
    'tessera/stores/memory': join(root, 'src/profiles/memory.ts'),
  });
});
afterAll(async () => {
  await renderer?.close();
});

function startNextTarget(): Promise<Target> {
  return startEdgeRuntimeTarget(code, {
    TESSERA_MODEL_URL: `${renderer.url}/model.tsra`,
    NEXT_APP_RENDERER: renderer.url,
  });
}

const catalog = JSON.parse(
  readFileSync(new URL('../../examples/shop/catalog.json', import.meta.url), 'utf8'),
) as Array<{ id: string; category: string; in_stock: boolean }>;
const products = { running: running(catalog) };

httpBehaviourSuite('Next.js middleware (examples/next) in edge-runtime', startNextTarget, products);
frameworkSuite('Next.js middleware in edge-runtime', startNextTarget, products.running[0]!);

describe('Next.js middleware: the page fetch', () => {
  let t: Target;
  beforeAll(async () => {
    t = await startNextTarget();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('renders each page once, through the matcher-skipped header, and answers /collect and /privacy/me without the app', async () => {
    renderer.seen.length = 0;
    const page = await fetch(`${t.baseUrl}/category/hiking`);
    expect(page.status).toBe(200);
    expect(page.headers.get('x-tessera-variant')).toBeTruthy();
    expect(renderer.seen).toEqual([`1 /category/hiking`]);
    renderer.seen.length = 0;
    expect((await fetch(`${t.baseUrl}/collect`)).status).toBe(405);
    // Answered by the middleware's privacy route: no id cookie, so "no data" (not the page router's 404).
    const privacy = await fetch(`${t.baseUrl}/privacy/me`);
    expect(privacy.status).toBe(404);
    expect(await privacy.text()).toContain('[tessera] [privacy] no data');
    expect(renderer.seen).toEqual([]);
    // The collector is Next's (public/tessera.js), outside the matcher.
    expect((await fetch(`${t.baseUrl}/tessera.js`)).status).toBe(200);
    expect(renderer.seen).toEqual(['- /tessera.js']);
  });

  it('leaves an API route (outside the matcher) to the app, unpersonalized', async () => {
    renderer.seen.length = 0;
    const res = await fetch(`${t.baseUrl}/api/ping`);
    expect(await res.json()).toEqual({ pong: true });
    expect(renderer.seen).toEqual(['- /api/ping']);
  });

  it('keeps the matcher and the middleware agreeing on the render header', () => {
    const source = readFileSync(new URL('../../examples/next/middleware.ts', import.meta.url), 'utf8');
    expect(source).toContain(`key: '${RENDER_HEADER}'`);
  });
});

describe('Next.js middleware: what it leaves to Next', () => {
  it('returns undefined (Next renders) for its own page fetch and for a POST to a page, and answers /collect', async () => {
    const { options } = await shopForFramework();
    const mw = tessera(options);
    const inner = new Request('http://site.test/category/hiking', { headers: { [RENDER_HEADER]: '1' } });
    expect(await mw(inner)).toBeUndefined();
    const post = new Request('http://site.test/cart', { method: 'POST', body: 'x' });
    expect(await mw(post)).toBeUndefined();
    const collect = await mw(new Request('http://site.test/collect'));
    expect(collect?.status).toBe(405);
  });
});
