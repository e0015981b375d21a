/**
 * Trains the demo shop's model artifact (what `npm start` trains at boot)
 * so it can be registered where the Worker reads it, the model registry in
 * its KV namespace; every isolate follows the production alias.
 *
 *   tessera model import model.tsra --alias production --models cloudflare-kv://ACCOUNT/NAMESPACE
 */
import type { SiteConfig } from '../../src/core/config.js';
import type { LoggedEvent } from '../../src/core/types.js';
import { buildModel } from '../../src/train/index.js';
import { loadShop } from '../shop/shop.mjs';

/** Segment → the category its rule names, for the per-segment lists (as the Node app does). */
function segmentCategories(site: SiteConfig): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const seg of site.segments) {
    const m = JSON.stringify(seg.rule).match(/"category:([a-z0-9-]+)"/);
    if (m?.[1]) out[seg.id] = [m[1]];
  }
  return out;
}

/** @param shopDir the demo shop's folder (needed when this module runs bundled) */
export async function trainShopModel(shopDir?: string, events: LoggedEvent[] = []): Promise<ArrayBuffer> {
  const shop = await loadShop(shopDir);
  const { artifact } = await buildModel({
    catalog: shop.catalog,
    events,
    segments: segmentCategories(shop.site),
  });
  return artifact;
}
