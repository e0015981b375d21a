/**
 * The demo shop as a Hono app in workerd with Tessera's middleware in front:
 * Hono renders the shop's pages, the native HTMLRewriter personalizes them,
 * profiles and events in the isolate's memory, the model from KV. Test
 * routes (`/__test/*`, before the middleware) count what the engine holds.
 */
import collector from 'tessera:collector';
import { Hono } from 'hono';
import catalog from '../../examples/shop/catalog.json' with { type: 'json' };
import css from '../../examples/shop/shop.css';
import type { ShopProduct } from '../../examples/shop/shop.mjs';
import { createShop } from '../../examples/shop/shop-core.mjs';
import site from '../../examples/shop/site.json' with { type: 'json' };
import notFound from '../../examples/shop/templates/404.html';
import category from '../../examples/shop/templates/category.html';
import home from '../../examples/shop/templates/home.html';
import layout from '../../examples/shop/templates/layout.html';
import product from '../../examples/shop/templates/product.html';
import type { KVNamespaceLike } from '../../src/connections/cloudflare-bindings.js';
import { readAllEvents } from '../../src/core/read-log.js';
import { parseSiteConfig } from '../../src/core/segments/index.js';
import { type TesseraHono, tessera } from '../../src/frameworks/hono/index.js';
import { DEFAULT_PATHS } from '../../src/frameworks/middleware.js';
import { createMemoryStore } from '../../src/profiles/memory.js';
import { engineStores } from '../helpers/engine-ports.js';

type Env = { Bindings: { TESSERA_KV: KVNamespaceLike } };

const shop = createShop({
  site,
  catalog: catalog as ShopProduct[],
  css,
  sources: { layout, home, product, category, notFound },
});
const stores = createMemoryStore();
let middleware: TesseraHono | undefined;

const app = new Hono<Env>();
app.get('/__test/events', async (c) => c.json({ count: await stores.events.count() }));
app.get('/__test/profiles', async (c) => {
  const engine = await middleware!.engine();
  const seen = new Set<string>();
  for await (const e of readAllEvents(engineStores(engine).events)) seen.add(e.visitor);
  let n = 0;
  for (const v of seen) if (await engine.profiles.get(v)) n++;
  return c.json({ count: n });
});
app.use(async (c, next) => {
  middleware ??= tessera({
    site: parseSiteConfig(shop.site),
    catalog: shop.catalog,
    settings: {
      secret: 'framework-suite-secret-framework-suite-0',
      consentMode: 'opt-in',
      secureCookies: false,
    },
    ports: { profiles: stores.profiles, events: stores.events },
    model: async () => (await c.env.TESSERA_KV.get('model/current.tsra', 'arrayBuffer')) ?? undefined,
    collector,
    paths: [...DEFAULT_PATHS, '/health'],
  });
  return middleware(c, next);
});
app.get('/shop.css', (c) => c.body(css, 200, { 'content-type': 'text/css' }));
app.get('*', (c) => {
  const page = shop.render(new URL(c.req.url).pathname)!;
  return c.html(page.html, page.status as 200);
});

export default app;
