import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Rule } from '../../src/core/config.js';
import { generateCatalog, serializeCatalog } from './generate-catalog.mjs';
import { loadShop, type Shop } from './shop.mjs';

let shop: Shop;
beforeAll(async () => {
  shop = await loadShop();
});

function page(path: string): { status: number; html: string } {
  const result = shop.render(path);
  if (!result) throw new Error(`no page for ${path}`);
  return result;
}

/** The inner HTML of the first element carrying `data-tessera-slot="name"` (slots never nest). */
function slot(html: string, name: string): string | undefined {
  const match = html.match(
    new RegExp(`<section[^>]*data-tessera-slot="${name}"[^>]*>([\\s\\S]*?)</section>`),
  );
  return match?.[1];
}

const VOID = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'source',
  'wbr',
]);

/** Every opened element is closed in order: a cheap well-formedness check for HTML5 pages. */
function unbalancedTags(html: string): string[] {
  const stack: string[] = [];
  const problems: string[] = [];
  for (const [, close, name] of html.matchAll(/<(\/?)([a-zA-Z][\w-]*)\b[^>]*>/g)) {
    const tag = (name ?? '').toLowerCase();
    if (VOID.has(tag)) continue;
    if (!close) stack.push(tag);
    else if (stack.pop() !== tag) problems.push(`</${tag}>`);
  }
  return [...problems, ...stack.map((t) => `<${t}> not closed`)];
}

function walk(rule: Rule, visit: (r: Rule) => void): void {
  visit(rule);
  if ('all' in rule) for (const r of rule.all) walk(r, visit);
  if ('any' in rule) for (const r of rule.any) walk(r, visit);
  if ('not' in rule) walk(rule.not, visit);
}

describe('catalog', () => {
  it('has at least 500 products with every field and unique p-NNNN ids', () => {
    expect(shop.catalog.length).toBeGreaterThanOrEqual(500);
    for (const p of shop.catalog) {
      expect(p.id).toMatch(/^p-\d{4}$/);
      expect(p.title.length).toBeGreaterThan(5);
      expect(typeof p.category).toBe('string');
      expect(typeof p.brand).toBe('string');
      expect(p.price).toBeGreaterThan(0);
      expect(p.tags.length).toBeGreaterThan(0);
      expect(typeof p.in_stock).toBe('boolean');
      expect(p.image).toMatch(/^data:image\/svg\+xml,/);
    }
    expect(new Set(shop.catalog.map((p) => p.id)).size).toBe(shop.catalog.length);
    expect(new Set(shop.catalog.map((p) => p.title)).size).toBe(shop.catalog.length);
  });

  it('gives every category at least 30 products and lets brands span categories', () => {
    const perCategory = new Map<string, number>();
    const brandCategories = new Map<string, Set<string>>();
    for (const p of shop.catalog) {
      perCategory.set(p.category, (perCategory.get(p.category) ?? 0) + 1);
      brandCategories.set(p.brand, (brandCategories.get(p.brand) ?? new Set()).add(p.category));
    }
    expect(perCategory.size).toBeGreaterThanOrEqual(8);
    for (const count of perCategory.values()) expect(count).toBeGreaterThanOrEqual(30);
    expect(brandCategories.size).toBeGreaterThanOrEqual(6);
    expect(brandCategories.size).toBeLessThanOrEqual(10);
    expect([...brandCategories.values()].filter((c) => c.size > 1).length).toBeGreaterThanOrEqual(3);
  });

  it('has about 5% of products out of stock', () => {
    const out = shop.catalog.filter((p) => !p.in_stock).length / shop.catalog.length;
    expect(out).toBeGreaterThan(0.03);
    expect(out).toBeLessThan(0.07);
  });

  it('is exactly what the seeded generator writes, and the seed decides it', () => {
    const text = readFileSync(new URL('./catalog.json', import.meta.url), 'utf8');
    expect(serializeCatalog(generateCatalog())).toBe(text);
    expect(generateCatalog({ count: 50, seed: 7 })).toEqual(generateCatalog({ count: 50, seed: 7 }));
    expect(generateCatalog({ count: 50, seed: 7 })).not.toEqual(generateCatalog({ count: 50, seed: 8 }));
  });
});

describe('render', () => {
  it('serves the home page with hero, recommended and promo slots holding default content', () => {
    const { status, html } = page('/');
    expect(status).toBe(200);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(slot(html, 'hero')).toContain('data-hero="default"');
    const recommended = slot(html, 'recommended') ?? '';
    expect(recommended.match(/data-tessera-item="p-\d{4}"/g)?.length).toBe(10);
    expect(recommended).toContain('data-category="');
    expect(slot(html, 'promo')).toContain('data-promo="free-shipping"');
    expect(html).toContain('data-tessera-consent="accept"');
    expect(html).toContain('<script src="/tessera.js" data-consent-mode="opt-in" defer></script>');
  });

  it('serves a product page whose main element names the item', () => {
    const product = shop.catalog.find((p) => p.brand.includes('&'));
    if (!product) throw new Error('the catalog should hold a brand with an ampersand');
    const { status, html } = page(`/product/${product.id}`);
    expect(status).toBe(200);
    expect(html).toMatch(new RegExp(`<main[^>]*data-tessera-item="${product.id}"[^>]*data-tessera-main`));
    expect(html).toContain('data-tessera-action="add_to_cart"');
    expect(html).toContain(product.brand.replace('&', '&amp;'));
    expect(html).not.toContain(`>${product.brand}<`);
    expect(slot(html, 'hero')).toContain('data-hero=');
    const recommended = slot(html, 'recommended') ?? '';
    expect(recommended).toContain(`data-category="${product.category}"`);
    expect(recommended).not.toContain(`data-tessera-item="${product.id}"`);
  });

  it('disables add to cart for a product that is out of stock', () => {
    const soldOut = shop.catalog.find((p) => !p.in_stock);
    expect(page(`/product/${soldOut?.id}`).html).toMatch(/data-tessera-action="add_to_cart" disabled/);
  });

  it('serves a category page with a tile for each of its products', () => {
    const { status, html } = page('/category/running?utm_medium=email');
    expect(status).toBe(200);
    const grid = html.match(/<div class="grid">([\s\S]*?)<\/div>\s*<\/main>/)?.[1] ?? '';
    const running = shop.catalog.filter((p) => p.category === 'running');
    expect(grid.match(/data-tessera-item=/g)?.length).toBe(running.length);
    expect(grid).not.toMatch(/data-category="(?!running")/);
    expect(slot(html, 'hero')).toBeTruthy();
    expect(slot(html, 'recommended')).toContain('data-tessera-item=');
    expect(html).toContain('href="/category/running" aria-current="page"');
  });

  it('answers unknown products, categories and paths with the 404 page', () => {
    expect(page('/product/p-9999').status).toBe(404);
    expect(page('/category/curling').status).toBe(404);
    expect(page('/checkout').status).toBe(404);
    expect(page('/product/p-0001/extra').status).toBe(404);
    expect(page('/product/p-9999').html).toContain('Page not found');
  });

  it('escapes hostile paths instead of echoing them', () => {
    for (const path of ['/category/<script>alert(1)</script>', '/product/"><img src=x onerror=alert(1)>']) {
      const { status, html } = page(path);
      expect(status).toBe(404);
      expect(html).not.toContain('<script>alert');
      expect(html).not.toContain('<img src=x');
      expect(html).toContain('&lt;');
    }
    const encoded = page('/category/%3Cscript%3Ealert(1)%3C%2Fscript%3E').html;
    expect(encoded).not.toContain('<script>alert');
    expect(encoded).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('writes well-formed HTML5 with no links off the site', () => {
    const paths = ['/', `/product/${shop.catalog[0]?.id}`, '/category/camping', '/nowhere'];
    for (const path of paths) {
      const { html } = page(path);
      expect(html).toMatch(/^<!doctype html>\s*<html lang="en">/);
      expect(unbalancedTags(html)).toEqual([]);
      expect(html).not.toMatch(/(?:src|href)="https?:/);
    }
  });

  it('serves the stylesheet as an asset', () => {
    expect(shop.assets['/shop.css']?.type).toMatch(/^text\/css/);
    expect(shop.assets['/shop.css']?.body).toContain('.tile');
  });
});

describe('site.json', () => {
  it('declares every content id its slots name', () => {
    const content = shop.site.content ?? {};
    for (const [name, def] of Object.entries(shop.site.slots)) {
      if (def.kind !== 'content') continue;
      for (const id of [def.default, ...def.rules.map((r) => r.content)]) {
        expect(content[id], `slot ${name} names ${id}`).toBeTypeOf('string');
      }
    }
  });

  it('names only segments it declares, and each interest segment a real category', () => {
    const segmentIds = new Set(shop.site.segments.map((s) => s.id));
    const categories = new Set(shop.catalog.map((p) => p.category));
    const interest = new Set<string>();
    const rules = [
      ...shop.site.segments.map((s) => s.rule),
      ...Object.values(shop.site.slots).flatMap((d) =>
        d.kind === 'content' ? d.rules.map((r) => r.when) : [],
      ),
    ];
    for (const rule of rules) {
      walk(rule, (r) => {
        if ('segment' in r) expect(segmentIds.has(r.segment), r.segment).toBe(true);
        if ('top' in r && r.top === 'category') interest.add(String(r.eq));
      });
    }
    expect([...interest].sort()).toEqual([...categories].sort());
  });

  it('has a hero per category that links to its category page', () => {
    for (const category of new Set(shop.catalog.map((p) => p.category))) {
      const hero = shop.site.content?.[`hero-${category}`] ?? '';
      expect(hero).toContain(`data-hero="${category}"`);
      expect(hero).toContain(`href="/category/${category}"`);
      expect(page(`/category/${category}`).status).toBe(200);
    }
  });

  it('has a tile template Tessera can track', () => {
    expect(shop.site.itemTemplate).toContain('data-tessera-item="{{id}}"');
    expect(shop.site.itemTemplate).toContain('data-category="{{category}}"');
    expect(shop.site.itemRoute?.prefix).toBe('/product/');
  });
});
