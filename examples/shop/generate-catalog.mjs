/**
 * Deterministic generator of the demo catalog. The same seed always writes
 * the same `catalog.json`, byte for byte, so the file can be regenerated and
 * diffed, and recommendation benchmarks see the same items on every machine.
 *
 * Run: `node examples/shop/generate-catalog.mjs [count] [seed]`
 * @module
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { BRANDS, CATEGORIES } from './catalog-vocabulary.mjs';

/** @typedef {import('./catalog-vocabulary.mjs').Subkind} Subkind */

/**
 * @typedef {object} Product
 * @property {string} id
 * @property {string} title
 * @property {string} category
 * @property {string} brand
 * @property {number} price
 * @property {string[]} tags
 * @property {boolean} in_stock
 * @property {string} image
 */

export const DEFAULT_COUNT = 560;
export const DEFAULT_SEED = 20240611;
/** Share of products that are out of stock, so stock filters have work to do. */
const OUT_OF_STOCK_SHARE = 0.05;

/**
 * mulberry32: a tiny, fast, well-mixed 32-bit PRNG. Math.random cannot be
 * seeded, and a catalog that changes on every run is useless in diffs.
 * @param {number} seed
 * @returns {() => number} uniform in [0, 1)
 */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * @template T
 * @param {() => number} rng
 * @param {readonly T[]} list
 * @returns {T}
 */
function pick(rng, list) {
  const value = list[Math.floor(rng() * list.length)];
  if (value === undefined) throw new Error('[tessera] [shop] pick from an empty list');
  return value;
}

/**
 * A price inside the subkind's band; pro gear sits high, beginner gear low.
 * Ends in .99 (or .49 under $20) like shelf prices do.
 * @param {() => number} rng
 * @param {[number, number]} band
 * @param {string | undefined} level
 */
function priceFor(rng, [low, high], level) {
  const span = high - low;
  const from = level === 'pro' ? 0.55 : 0;
  const to = level === 'beginner' ? 0.45 : 1;
  const raw = low + span * (from + (to - from) * rng());
  const cents = raw < 20 ? 0.49 : 0.99;
  return Math.max(1, Math.floor(raw)) - 1 + cents;
}

/**
 * A small placeholder picture as an inline SVG data URL: nothing is fetched
 * from the internet, and each kind of product gets its own shade and label.
 * Only the characters that break a URL or an attribute are escaped, to keep
 * it short; the SVG itself uses single quotes so it sits in `src="..."`.
 * @param {number} hue
 * @param {number} shade
 * @param {string} label
 */
export function placeholderImage(hue, shade, label) {
  const light = 38 + shade * 6;
  const svg =
    `<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 160 120'>` +
    `<rect width='160' height='120' fill='hsl(${hue},55%,${light}%)'/>` +
    `<circle cx='128' cy='28' r='20' fill='#fff' fill-opacity='.2'/>` +
    `<text x='80' y='68' font-family='sans-serif' font-size='14' fill='#fff' text-anchor='middle'>${label}</text>` +
    '</svg>';
  const encoded = svg.replace(/[%#<>" ]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `data:image/svg+xml,${encoded}`;
}

/**
 * The catalog for a seed: `count` products spread evenly over the
 * categories, with unique titles and ids `p-0001`, `p-0002`, ...
 * @param {{ count?: number, seed?: number }} [options]
 * @returns {Product[]}
 */
export function generateCatalog({ count = DEFAULT_COUNT, seed = DEFAULT_SEED } = {}) {
  const rng = mulberry32(seed);
  const titles = new Set();
  /** @type {Product[]} */
  const products = [];
  for (let n = 0; n < count; n++) {
    const category = CATEGORIES[n % CATEGORIES.length];
    if (!category) throw new Error('[tessera] [shop] no categories');
    const brands = BRANDS.filter((b) => b.categories.includes(category.slug));
    const shade = Math.floor(rng() * category.subkinds.length);
    const subkind = category.subkinds[shade] ?? pick(rng, category.subkinds);
    // A few retries find an unused model/style/gender combination; the
    // numbered fallback keeps titles unique even in a huge catalog.
    let attempt = 0;
    let brand, style, gender, title;
    do {
      brand = pick(rng, brands);
      style = pick(rng, subkind.styles);
      gender = subkind.gendered ? pick(rng, ['women', 'men', 'unisex']) : '';
      title = composeTitle(pick(rng, brand.models), style[0], subkind.noun, gender);
    } while (titles.has(title) && ++attempt < 20);
    if (titles.has(title)) title = `${title} ${n + 1}`;
    titles.add(title);

    const roll = rng();
    // Kids' gear is never sold as pro gear.
    const proAllowed = !style[1].includes('kids');
    const level = roll < 0.25 ? 'beginner' : roll < 0.5 && proAllowed ? 'pro' : undefined;
    const features = [pick(rng, subkind.features), pick(rng, subkind.features)];
    const tags = [
      ...new Set([...style[1], ...features, ...(gender ? [gender] : []), ...(level ? [level] : [])]),
    ];
    const label = subkind.noun.split(' ').slice(-1)[0] ?? subkind.noun;
    products.push({
      id: `p-${String(n + 1).padStart(4, '0')}`,
      title,
      category: category.slug,
      brand: brand.name,
      price: Number(priceFor(rng, subkind.price, level).toFixed(2)),
      tags: tags.sort(),
      in_stock: true,
      image: placeholderImage(category.hue, shade, label),
    });
  }
  markOutOfStock(rng, products);
  return products;
}

/**
 * "Women's Aeroglide Trail Running Shoe": gender first, as shops write it.
 * @param {string} model
 * @param {string} style
 * @param {string} noun
 * @param {string} gender
 */
function composeTitle(model, style, noun, gender) {
  const prefix = gender === 'women' ? "Women's " : gender === 'men' ? "Men's " : '';
  return `${prefix}${model} ${style ? `${style} ` : ''}${noun}`;
}

/**
 * Exactly round(5%) of the products go out of stock, chosen by a seeded
 * shuffle rather than a per-item coin, so the share never drifts.
 * @param {() => number} rng
 * @param {Product[]} products
 */
function markOutOfStock(rng, products) {
  const order = products.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j] ?? 0, order[i] ?? 0];
  }
  const out = Math.round(products.length * OUT_OF_STOCK_SHARE);
  for (const index of order.slice(0, out)) {
    const product = products[index];
    if (product) product.in_stock = false;
  }
}

/**
 * One product per line: small diffs when the generator changes, and still
 * a plain JSON array for every reader.
 * @param {Product[]} products
 */
export function serializeCatalog(products) {
  return `[\n${products.map((p) => `  ${JSON.stringify(p)}`).join(',\n')}\n]\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const count = Number(process.argv[2] ?? DEFAULT_COUNT);
  const seed = Number(process.argv[3] ?? DEFAULT_SEED);
  const target = new URL('./catalog.json', import.meta.url);
  const products = generateCatalog({ count, seed });
  await writeFile(target, serializeCatalog(products));
  console.log(`[tessera] [shop] wrote ${products.length} products to ${fileURLToPath(target)}`);
}
