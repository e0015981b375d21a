/**
 * Types of `shop.mjs` for TypeScript callers (the Node runtime, the CLI and
 * the tests); the shop itself is plain ESM so it runs without a build.
 * @module
 */
import type { CatalogItem, SiteConfig } from '../../src/core/config.js';

/** site.json: a SiteConfig plus the content fragments and tile template it declares. */
export type ShopSite = SiteConfig & { content?: Record<string, string>; itemTemplate?: string };

/** A catalog product; the demo catalog always has an image (an inline SVG data URL). */
export type ShopProduct = CatalogItem & { image: string };

export interface ShopPage {
  status: number;
  html: string;
}

export interface Shop {
  site: ShopSite;
  catalog: ShopProduct[];
  /** Render a request path (query and fragment ignored); unknown paths give the 404 page. */
  render(path: string): ShopPage | undefined;
  /** Static files by request path, e.g. `/shop.css`. */
  assets: Record<string, { type: string; body: string }>;
}

/** Load the shop from a folder with site.json, catalog.json, shop.css and templates/ (default: this folder). */
export function loadShop(dir?: string): Promise<Shop>;

/** Template sources by name, as `templates/*.html` hold them. */
export interface ShopSources {
  layout: string;
  home: string;
  product: string;
  category: string;
  notFound: string;
}

/** The shop from data already in memory (no file system): what the Worker bundle uses. */
export function createShop(data: {
  site: unknown;
  catalog: ShopProduct[];
  css: string;
  sources: ShopSources;
}): Shop;

/** `running` → `Running`. */
export function categoryName(slug: string): string;
