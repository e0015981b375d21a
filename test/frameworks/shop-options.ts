/**
 * The demo shop as a framework app sees it: the framework renders the shop's
 * pages (`shop.render`) on its own routes, and Tessera's middleware gets the
 * shop's rules, catalog, a trained model and in-memory stores. The HTTP
 * behaviour suite then runs unchanged against the framework's own server.
 */
import { trainShopModel } from '../../examples/cloudflare/train-model.js';
import { loadShop } from '../../examples/shop/shop.mjs';
import type { Engine } from '../../src/core/engine.js';
import { readAllEvents } from '../../src/core/read-log.js';
import { DEFAULT_PATHS, type TesseraMiddlewareOptions } from '../../src/frameworks/middleware.js';
import { createMemoryStore } from '../../src/profiles/memory.js';
import { createNodeRewriter } from '../../src/runtimes/node/html-rewriter.js';
import { engineStores } from '../helpers/engine-ports.js';
import type { Target } from '../helpers/node-target.js';

export const SECRET = 'framework-suite-secret-framework-suite-0';

export async function shopForFramework() {
  const shop = await loadShop();
  const stores = createMemoryStore();
  const options: TesseraMiddlewareOptions = {
    site: shop.site as TesseraMiddlewareOptions['site'],
    catalog: shop.catalog,
    settings: { secret: SECRET, consentMode: 'opt-in', secureCookies: false },
    ports: { profiles: stores.profiles, events: stores.events, rewriter: createNodeRewriter },
    model: await trainShopModel(),
    // The behaviour suite reads /health too; a site mounts it only if it wants Tessera's.
    paths: [...DEFAULT_PATHS, '/health'],
  };
  return { shop, options };
}

export function running(catalog: ReadonlyArray<{ id: string; category: string; in_stock?: boolean }>) {
  return catalog.filter((p) => p.category === 'running' && p.in_stock !== false).map((p) => p.id);
}

/** A behaviour-suite target over a framework server whose middleware built `engine`. */
export function frameworkTarget(
  baseUrl: string,
  engine: () => Promise<Engine>,
  close: () => Promise<void>,
): Target {
  return {
    baseUrl,
    async profileCount() {
      const e = await engine();
      const seen = new Set<string>();
      for await (const ev of readAllEvents(engineStores(e).events)) seen.add(ev.visitor);
      let n = 0;
      for (const v of seen) if (await e.profiles.get(v)) n++;
      return n;
    },
    async eventCount() {
      return engineStores(await engine()).events.count();
    },
    close,
  };
}
