/**
 * Latent tastes. A shopper has a weight per category (one main interest, a
 * second one, a little of everything else) and a weight per tag; an item is
 * its category and its tags. The utility of an item to a shopper is the
 * category weight scaled by how well the tags match. Tastes drift: after
 * every page a small share of the weight moves toward a random direction.
 *
 * Nothing here knows about Tessera: the personalized arm can only win by
 * showing items with higher utility.
 * @module
 */
import type { CatalogItem } from '../core/config.js';
import type { Random } from '../stats/random.js';

export interface Taste {
  categories: Map<string, number>;
  tags: Map<string, number>;
}

export interface World {
  categories: string[];
  tags: string[];
  items: CatalogItem[];
  byId: Map<string, CatalogItem>;
}

export function makeWorld(catalog: readonly CatalogItem[]): World {
  const categories = [...new Set(catalog.map((i) => i.category))].sort();
  const tags = [...new Set(catalog.flatMap((i) => i.tags))].sort();
  return { categories, tags, items: [...catalog], byId: new Map(catalog.map((i) => [i.id, i])) };
}

export function makeTaste(world: World, rnd: Random): Taste {
  const categories = new Map<string, number>();
  for (const c of world.categories) categories.set(c, 0.02 + 0.04 * rnd.next());
  const main = world.categories[rnd.int(world.categories.length)]!;
  const second = world.categories[rnd.int(world.categories.length)]!;
  categories.set(main, 0.75 + 0.2 * rnd.next());
  categories.set(second, Math.max(categories.get(second) ?? 0, 0.25 + 0.2 * rnd.next()));
  const tags = new Map<string, number>();
  for (const t of world.tags) tags.set(t, 0.1 * rnd.next());
  for (let i = 0; i < 4; i++) tags.set(world.tags[rnd.int(world.tags.length)]!, 0.6 + 0.4 * rnd.next());
  return { categories, tags };
}

/** Utility in [0, 1]. */
export function utility(taste: Taste, item: CatalogItem | undefined): number {
  if (!item) return 0;
  const c = taste.categories.get(item.category) ?? 0;
  let match = 0;
  for (const t of item.tags) match = Math.max(match, taste.tags.get(t) ?? 0);
  return Math.min(1, c * (0.35 + 0.65 * match));
}

/** Move `rate` of the taste toward a random one: interests wander over a visit. */
export function drift(taste: Taste, rnd: Random, rate = 0.02): void {
  for (const m of [taste.categories, taste.tags])
    for (const [k, v] of m) m.set(k, (1 - rate) * v + rate * rnd.next() * 0.5);
}

/** A category drawn in proportion to the squared weight: shoppers mostly browse what they like. */
export function pickCategory(taste: Taste, rnd: Random): string {
  let total = 0;
  for (const v of taste.categories.values()) total += v * v;
  let r = rnd.next() * total;
  for (const [k, v] of taste.categories) {
    r -= v * v;
    if (r <= 0) return k;
  }
  return [...taste.categories.keys()][0]!;
}
