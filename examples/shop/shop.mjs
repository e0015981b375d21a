/**
 * The demo shop as an origin: plain HTML pages from templates and the
 * catalog, with no personalization of its own. Tessera sits in front of it
 * (`npm start`) and fills the `data-tessera-slot` elements as pages stream.
 *
 * ```js
 * const shop = await loadShop();
 * const page = shop.render('/product/p-0001'); // { status: 200, html }
 * ```
 * @module
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { categoryName } from './pages.mjs';
import { createShop, TEMPLATE_FILES } from './shop-core.mjs';

export { categoryName, createShop };

const HERE = fileURLToPath(new URL('.', import.meta.url));

/**
 * Load the shop from a folder holding `site.json`, `catalog.json`,
 * `shop.css` and `templates/`.
 * @param {string} [dir]
 */
export async function loadShop(dir = HERE) {
  const read = (/** @type {string} */ file) => readFile(join(dir, file), 'utf8');
  const entries = Object.entries(TEMPLATE_FILES);
  const [siteText, catalogText, css, ...sources] = await Promise.all([
    read('site.json'),
    read('catalog.json'),
    read('shop.css'),
    ...entries.map(([, file]) => read(join('templates', file))),
  ]);
  return createShop({
    site: JSON.parse(siteText),
    catalog: JSON.parse(catalogText),
    css,
    sources: Object.fromEntries(entries.map(([name], i) => [name, sources[i] ?? ''])),
  });
}
