/** Types of `shop-core.mjs`: the shop from data in memory (no file system). */
import type { Shop, ShopProduct, ShopSources } from './shop.mjs';

export type { Shop, ShopSources };

export const TEMPLATE_FILES: Record<keyof ShopSources, string>;

export function createShop(data: {
  site: unknown;
  catalog: ShopProduct[];
  css: string;
  sources: ShopSources;
}): Shop;
