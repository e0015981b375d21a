// The peer benchmark's workload, shared by its three sides (Tessera,
// GrowthBook, plain JS): a catalog, visitors with 20 raw view events each,
// and the rules every side answers: 20 interest segments (decayed views of a
// category ≥ 1.5), a 5-way banner by the strongest category, a 50/50 hashed
// A/B arm. An answer is `{ segments, banner, arm }` on every side.

export const CATEGORIES = Array.from({ length: 20 }, (_, i) => `cat-${i}`);
/** Banner k is shown when the strongest category is in group k. */
export const BANNER_GROUPS = Array.from({ length: 5 }, (_, g) => CATEGORIES.slice(g * 4, g * 4 + 4));
export const BANNER_DEFAULT = 'banner-default';
export const HALF_LIFE_MS = 3 * 24 * 3600_000;
export const INTEREST_THRESHOLD = 1.5;
export const EXPERIMENT = { key: 'ab', arms: ['a', 'b'] };
export const EVENTS_PER_VISITOR = 20;
const ITEMS_PER_CATEGORY = 5;

export const segmentId = (category) => `interest-${category}`;
export const bannerId = (group) => `banner-${group}`;

function lcg(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * 100 items, 5 per category, without brand or tags, so that a visitor's 20
 * views touch few profile keys (items and categories): for these visitors at
 * most 24, the bound of a Tessera profile (PROFILE_LIMITS.affinities), and
 * its category sums equal a plain count. Past the bound Tessera drops the
 * weakest keys and would answer differently from a plain count for a few
 * visitors (the benchmark checks every answer before timing).
 */
export function makeCatalog() {
  const items = Array.from({ length: ITEMS_PER_CATEGORY * CATEGORIES.length }, (_, i) => ({
    id: `i${i}`,
    category: CATEGORIES[i % 20],
    brand: '',
    tags: [],
  }));
  return { items, byId: new Map(items.map((x) => [x.id, x])) };
}

/** Visitors with 20 raw view events each, one minute apart, 60 % on a favourite category. */
export function makeVisitors(n, now, catalog) {
  const rand = lcg(7);
  const visitors = [];
  for (let v = 0; v < n; v++) {
    const favourite = Math.floor(rand() * 20);
    const events = [];
    for (let e = 0; e < EVENTS_PER_VISITOR; e++) {
      const cat = rand() < 0.6 ? favourite : Math.floor(rand() * 20);
      const item = catalog.items[cat + 20 * Math.floor(rand() * ITEMS_PER_CATEGORY)];
      events.push({
        id: `v${v}e${e}`,
        type: 'view',
        ts: now - (EVENTS_PER_VISITOR - e) * 60_000,
        item: item.id,
      });
    }
    visitors.push({ id: `visitor-${v}`, events });
  }
  return visitors;
}

/** One line per answer, for comparing the sides. */
export function answerKey(a) {
  return `${a.segments.join(',')}|${a.banner}|${a.arm}`;
}
