/**
 * Where a Node app finds what it serves: the package root (the demo shop and
 * the built browser bundles live under it, from src/ or dist/ alike) and a
 * site folder's `shop.mjs`, which gives the site config, the catalog, the
 * origin's pages and its static assets.
 * @module
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CatalogItem } from '../../core/config.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The package root, from src/runtimes/node or dist/runtimes/node alike. */
export const packageRoot = resolve(here, '../../..');

/** What a site folder's `loadShop()` gives. */
export interface Shop {
  site: unknown;
  catalog: CatalogItem[];
  render(path: string): { status: number; html: string } | undefined;
  assets: Record<string, { type: string; body: string }>;
}

export async function loadSite(siteDir: string): Promise<Shop> {
  const mod = (await import(pathToFileURL(join(siteDir, 'shop.mjs')).href)) as {
    loadShop(dir?: string): Promise<Shop>;
  };
  return mod.loadShop(siteDir);
}
