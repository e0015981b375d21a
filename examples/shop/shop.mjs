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
import { categoryName, createPages } from './pages.mjs';
import { compileTemplate } from './template.mjs';

export { categoryName };

const HERE = fileURLToPath(new URL('.', import.meta.url));

/** Template name → file under `templates/`. */
const TEMPLATE_FILES = {
  layout: 'layout.html',
  home: 'home.html',
  product: 'product.html',
  category: 'category.html',
  notFound: '404.html',
};

/**
 * Compiled templates, keyed by their source text: loading the shop twice
 * compiles nothing twice, and an edited file is simply a new key.
 * @type {Map<string, import('./template.mjs').CompiledTemplate>}
 */
const compiled = new Map();

/** @param {string} source @param {string} name */
function cachedTemplate(source, name) {
  let template = compiled.get(source);
  if (!template) {
    template = compileTemplate(source, name);
    compiled.set(source, template);
  }
  return template;
}

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
  const site = JSON.parse(siteText);
  /** @type {import('./generate-catalog.mjs').Product[]} */
  const catalog = JSON.parse(catalogText);
  const templates = /** @type {import('./pages.mjs').Templates} */ (
    Object.fromEntries(entries.map(([name, file], i) => [name, cachedTemplate(sources[i] ?? '', file)]))
  );
  const pages = createPages({ site, catalog, templates });

  /**
   * Render the page for a request path (query and fragment are ignored).
   * Unknown paths get the 404 page; every value from the path or the
   * catalog is HTML-escaped on the way in. Never undefined today; the type
   * leaves room for paths the shop declines to answer.
   * @param {string} path
   * @returns {{ status: number, html: string } | undefined}
   */
  function render(path) {
    const pathname = path.split(/[?#]/, 1)[0] || '/';
    const parts = pathname.split('/').filter(Boolean).map(safeDecode);
    if (parts.length === 0) return pages.home();
    const [kind, key, ...rest] = parts;
    if (kind === 'product' && key !== undefined && rest.length === 0) {
      const product = pages.byId.get(key);
      return product ? pages.product(product) : pages.notFound(pathname, `There is no product "${key}".`);
    }
    if (kind === 'category' && key !== undefined && rest.length === 0) {
      const products = pages.byCategory.get(key);
      return products
        ? pages.category(key, products)
        : pages.notFound(pathname, `There is no category "${key}".`);
    }
    return pages.notFound(pathname, 'There is no page at this address.');
  }

  return {
    site,
    catalog,
    render,
    assets: { '/shop.css': { type: 'text/css; charset=utf-8', body: css } },
  };
}

/** Percent-decode a path segment; a malformed escape stays as it came. */
function safeDecode(/** @type {string} */ segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
