/**
 * The demo shop as examples/cloudflare/shop.ts gives it to the edge entries
 * (site, catalog, pages rendered in process, assets), loaded from disk for a
 * handler that runs in Node, with the collector script as build-worker.mjs builds it.
 * @module
 */
import { loadShop } from '../../examples/shop/shop.mjs';
// @ts-expect-error plain .mjs build script without types
import { buildCollector } from '../../scripts/build-worker.mjs';
import type { EdgeSite } from '../../src/runtimes/edge/env-handler.js';

const shop = await loadShop();
const collector = (await (buildCollector as () => Promise<string>)()) as string;

export function shopSite(): EdgeSite {
  return {
    site: shop.site,
    catalog: shop.catalog,
    origin: { render: (path) => shop.render(path) },
    assets: { ...shop.assets, '/tessera.js': { type: 'text/javascript; charset=utf-8', body: collector } },
  };
}
