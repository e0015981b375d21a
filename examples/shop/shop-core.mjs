/**
 * The demo shop without the file system: pages from site data, catalog and
 * template sources already in memory. `shop.mjs` reads the files and calls
 * `createShop`; the Worker bundle imports the same files as text and JSON.
 * @module
 */
import { createPages } from './pages.mjs';
import { compileTemplate } from './template.mjs';

/** Template name → file under `templates/`. */
export const TEMPLATE_FILES = {
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
 * The shop from data already in memory: for runtimes without a file system
 * (the Worker bundle imports the same files as text and JSON).
 * @param {{ site: any, catalog: import('./generate-catalog.mjs').Product[], css: string,
 *   sources: Record<keyof typeof TEMPLATE_FILES, string> }} data
 */
export function createShop({ site, catalog, css, sources }) {
  const templates = /** @type {import('./pages.mjs').Templates} */ (
    Object.fromEntries(
      Object.entries(TEMPLATE_FILES).map(([name, file]) => [
        name,
        cachedTemplate(sources[/** @type {keyof typeof TEMPLATE_FILES} */ (name)] ?? '', file),
      ]),
    )
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
