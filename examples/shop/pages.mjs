/**
 * The shop's pages: home, product, category and 404, rendered from the
 * compiled templates and the catalog. Every slot gets a complete,
 * non-personalized default (the site's default content fragment, or tiles
 * the shop picks itself), so a visitor without consent sees a whole page and
 * Tessera only ever replaces a slot, never fills a hole.
 * @module
 */
import { compileTemplate, escapeHtml } from './template.mjs';

/**
 * @typedef {import('./generate-catalog.mjs').Product} Product
 * @typedef {import('./template.mjs').CompiledTemplate} CompiledTemplate
 * @typedef {{ status: number, html: string }} Page
 * @typedef {{ layout: CompiledTemplate, home: CompiledTemplate, product: CompiledTemplate,
 *   category: CompiledTemplate, notFound: CompiledTemplate }} Templates
 * @typedef {{ name: string, slots: Record<string, { kind: string, default?: string, title?: string }>,
 *   content?: Record<string, string>, itemTemplate?: string }} Site
 */

/** How many tiles a shop-rendered recommendations default shows. */
const DEFAULT_TILES = 10;

/** The tile markup when site.json declares no itemTemplate. */
const FALLBACK_ITEM_TEMPLATE =
  '<a class="tile" href="/product/{{id}}" data-tessera-item="{{id}}" data-category="{{category}}">' +
  '<span class="title">{{title}}</span><span class="price">&#36;{{price}}</span></a>';

/** `running` → `Running`: category slugs are single words, so this reads well. */
export function categoryName(/** @type {string} */ slug) {
  return slug.charAt(0).toUpperCase() + slug.slice(1);
}

/**
 * Build the page renderer for a site and catalog. Indexes are made once
 * here; each render is lookups and joins.
 * @param {{ site: Site, catalog: Product[], templates: Templates }} shop
 */
export function createPages({ site, catalog, templates }) {
  const byId = new Map(catalog.map((p) => [p.id, p]));
  /** @type {Map<string, Product[]>} */
  const byCategory = new Map();
  for (const product of catalog) {
    const list = byCategory.get(product.category) ?? [];
    list.push(product);
    byCategory.set(product.category, list);
  }
  const categories = [...byCategory.keys()];
  const itemTile = compileTemplate(site.itemTemplate ?? FALLBACK_ITEM_TEMPLATE, 'itemTemplate');
  const popular = pickPopular(byCategory, DEFAULT_TILES);

  /** @param {Product} p @param {string} reason */
  const tile = (p, reason) =>
    itemTile({
      id: p.id,
      title: p.title,
      price: p.price.toFixed(2),
      category: p.category,
      brand: p.brand,
      image: p.image ?? '',
      reason,
    });

  /** The default HTML of a content slot: the fragment its `default` names. */
  const contentDefault = (/** @type {string} */ slotName) => {
    const slot = site.slots[slotName];
    const html = slot?.kind === 'content' && slot.default ? site.content?.[slot.default] : undefined;
    if (html === undefined) {
      throw new Error(`[tessera] [shop] slot "${slotName}" has no default content in site.json`);
    }
    return html;
  };

  /** Non-personalized recommendations: a heading and tiles, the shape Tessera replaces. */
  const tileBlock = (/** @type {string} */ heading, /** @type {string[]} */ tiles) =>
    `<h2 class="slot-title">${escapeHtml(heading)}</h2>${tiles.join('')}`;

  const popularBlock = () =>
    tileBlock(
      'Popular right now',
      popular.map((p) => tile(p, `Popular in ${categoryName(p.category)}`)),
    );

  const nav = (/** @type {string | undefined} */ current) =>
    categories
      .map((slug) => {
        const mark = slug === current ? ' aria-current="page"' : '';
        return `<li><a href="/category/${escapeHtml(slug)}"${mark}>${escapeHtml(categoryName(slug))}</a></li>`;
      })
      .join('');

  /**
   * @param {number} status
   * @param {{ title: string, description: string, content: string, category?: string }} page
   * @returns {Page}
   */
  const page = (status, { title, description, content, category }) => ({
    status,
    html: templates.layout({
      pageTitle: title,
      siteName: site.name,
      description,
      nav: nav(category),
      content,
    }),
  });

  const home = () =>
    page(200, {
      title: 'Gear for every sport',
      description: `${site.name}: running, hiking, cycling and more.`,
      content: templates.home({
        hero: contentDefault('hero'),
        recommended: popularBlock(),
        promo: contentDefault('promo'),
        categoryCards: categories
          .map((slug) => {
            const count = byCategory.get(slug)?.length ?? 0;
            return `<li><a class="category-card" href="/category/${escapeHtml(slug)}">${escapeHtml(categoryName(slug))}<small>${count} products</small></a></li>`;
          })
          .join(''),
      }),
    });

  /** @param {string} path @param {string} reason */
  const notFound = (path, reason) =>
    page(404, {
      title: 'Page not found',
      description: reason,
      content: templates.notFound({ path, reason, recommended: popularBlock() }),
    });

  const product = (/** @type {Product} */ p) => {
    const name = categoryName(p.category);
    const similar = rankSimilar(p, byCategory.get(p.category) ?? [], DEFAULT_TILES);
    return page(200, {
      title: p.title,
      description: `${p.title} by ${p.brand}, $${p.price.toFixed(2)}.`,
      category: p.category,
      content: templates.product({
        hero: contentDefault('hero'),
        id: p.id,
        title: p.title,
        brand: p.brand,
        category: p.category,
        categoryName: name,
        price: p.price.toFixed(2),
        image: p.image ?? '',
        stockClass: p.in_stock ? 'in' : 'out',
        stockLabel: p.in_stock ? 'In stock' : 'Out of stock',
        tags: p.tags.map((t) => `<li>${escapeHtml(t)}</li>`).join(''),
        cartButton: p.in_stock
          ? '<button type="button" class="add-to-cart" data-tessera-action="add_to_cart">Add to cart</button>'
          : '<button type="button" class="add-to-cart" data-tessera-action="add_to_cart" disabled>Sold out</button>',
        recommended: tileBlock(
          `More in ${name}`,
          similar.map((s) => tile(s, s.brand === p.brand ? `Also by ${s.brand}` : `Similar to this`)),
        ),
      }),
    });
  };

  const category = (/** @type {string} */ slug, /** @type {Product[]} */ products) => {
    const name = categoryName(slug);
    const ordered = [...products.filter((p) => p.in_stock), ...products.filter((p) => !p.in_stock)];
    return page(200, {
      title: name,
      description: `${products.length} ${name.toLowerCase()} products at ${site.name}.`,
      category: slug,
      content: templates.category({
        hero: contentDefault('hero'),
        category: slug,
        categoryName: name,
        count: products.length,
        tiles: ordered.map((p) => tile(p, p.in_stock ? '' : 'Out of stock')).join(''),
        recommended: popularBlock(),
      }),
    });
  };

  return { byId, byCategory, home, product, category, notFound };
}

/**
 * The shop's own "popular" list, with no behaviour data to go on: in-stock
 * items taken round-robin across categories, so the default is varied.
 * @param {Map<string, Product[]>} byCategory
 * @param {number} count
 */
function pickPopular(byCategory, count) {
  const lists = [...byCategory.values()].map((list) => list.filter((p) => p.in_stock));
  /** @type {Product[]} */
  const picked = [];
  for (let round = 0; picked.length < count; round++) {
    const before = picked.length;
    for (const list of lists) {
      const p = list[round];
      if (p && picked.length < count) picked.push(p);
    }
    if (picked.length === before) break;
  }
  return picked;
}

/**
 * In-stock items of the same category, most shared tags first, same brand
 * breaking ties: a plain "more like this" that needs no model.
 * @param {Product} product
 * @param {Product[]} siblings
 * @param {number} count
 */
function rankSimilar(product, siblings, count) {
  const tags = new Set(product.tags);
  const score = (/** @type {Product} */ p) =>
    p.tags.filter((t) => tags.has(t)).length * 2 + (p.brand === product.brand ? 1 : 0);
  return siblings
    .filter((p) => p.in_stock && p.id !== product.id)
    .map((p, order) => ({ p, order, s: score(p) }))
    .sort((a, b) => b.s - a.s || a.order - b.order)
    .slice(0, count)
    .map(({ p }) => p);
}
