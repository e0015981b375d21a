/**
 * One synthetic visit over HTTP: consent, land on the home page, then page
 * by page either click a recommended item (a cascade: look down the list,
 * click with a probability that grows with the item's utility), browse
 * organically (a category by taste, then an item from its listing), or
 * leave. On a product page the shopper may buy, with a probability that
 * depends only on the item's utility (cubed: shoppers buy what really fits)
 * — never on how they got there.
 * @module
 */
import type { Random } from '../stats/random.js';
import { itemIds, type ShopperClient, slotItems } from './client.js';
import { drift, makeTaste, pickCategory, type Taste, utility, type World } from './taste.js';

export interface ShopperModel {
  /** Pages at most per visit. */
  maxPages: number;
  /** Chance to leave after each page. */
  exitRate: number;
  /** Click probability of a recommended item of utility 1 at the top. */
  clickScale: number;
  /** Attention decay per position down a list. */
  positionDecay: number;
  /** Purchase probability of an item of utility 1 on its page. */
  buyScale: number;
  /** Taste drift per page. */
  driftRate: number;
}

export const DEFAULT_MODEL: ShopperModel = {
  maxPages: 10,
  exitRate: 0.12,
  clickScale: 0.6,
  positionDecay: 0.8,
  buyScale: 0.6,
  driftRate: 0.02,
};

export interface VisitOutcome {
  pages: number;
  recClicks: number;
  purchases: number;
  revenue: number;
}

function chooseRecommended(
  taste: Taste,
  items: string[],
  world: World,
  rnd: Random,
  m: ShopperModel,
): string | undefined {
  let attention = 1;
  for (const id of items) {
    const u = utility(taste, world.byId.get(id));
    if (rnd.next() < attention * m.clickScale * u * u) return id;
    attention *= m.positionDecay;
  }
  return undefined;
}

export async function visit(
  client: ShopperClient,
  world: World,
  rnd: Random,
  m: ShopperModel = DEFAULT_MODEL,
): Promise<VisitOutcome> {
  const taste = makeTaste(world, rnd);
  const out: VisitOutcome = { pages: 0, recClicks: 0, purchases: 0, revenue: 0 };
  await client.collect([{ type: 'consent', props: { personalization: true, analytics: true } }]);
  let html = await client.page('/');
  out.pages++;
  for (let step = 0; step < m.maxPages; step++) {
    const clicked = chooseRecommended(taste, slotItems(html, 'recommended'), world, rnd, m);
    let item: string | undefined;
    if (clicked) {
      out.recClicks++;
      await client.collect([{ type: 'click', item: clicked, props: { slot: 'recommended' } }]);
      item = clicked;
    } else {
      const category = pickCategory(taste, rnd);
      const listing = itemIds(await client.page(`/category/${category}`));
      out.pages++;
      item = listing[rnd.int(Math.max(1, listing.length))];
    }
    if (!item) break;
    html = await client.page(`/product/${item}`);
    out.pages++;
    const u = utility(taste, world.byId.get(item));
    if (rnd.next() < m.buyScale * u * u * u) {
      await client.collect([
        { type: 'add_to_cart', item },
        { type: 'purchase', item },
      ]);
      out.purchases++;
      out.revenue += world.byId.get(item)?.price ?? 0;
    }
    drift(taste, rnd, m.driftRate);
    if (rnd.next() < m.exitRate) break;
  }
  return out;
}
