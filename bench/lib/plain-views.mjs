// Counting a visitor's decayed views per category in plain JS: the fold that
// the GrowthBook side and the plain-JS floor do inside the timed region.
//
// Same forward decay as Tessera's profile (a landmark on a grid of whole
// half-lives, each view adding 2^((t − L)/h), the sum read as S·2^(−(now − L)/h)),
// so the sums, and the comparisons against the threshold, match bit for bit.
import { CATEGORIES, HALF_LIFE_MS } from './peer-workload.mjs';

/** Item id → category index, built once from the catalog (the plain sides' catalog lookup). */
export function categoryIndex(catalog) {
  const index = new Map(CATEGORIES.map((c, i) => [c, i]));
  return new Map(catalog.items.map((it) => [it.id, index.get(it.category)]));
}

/** Category indexes by key order (`cat-10` before `cat-2`): Tessera breaks ties between equal sums by key. */
const KEY_RANK = (() => {
  const rank = new Int32Array(CATEGORIES.length);
  [...CATEGORIES.keys()]
    .sort((a, b) => (CATEGORIES[a] < CATEGORIES[b] ? -1 : 1))
    .forEach((c, r) => {
      rank[c] = r;
    });
  return rank;
})();

/**
 * Fills `out` with the decayed views per category at `now` and returns the
 * index of the strongest category (-1 without views).
 */
export function countViews(events, itemCategory, now, out) {
  out.fill(0);
  if (events.length === 0) return -1;
  const landmark = Math.floor(events[0].ts / HALF_LIFE_MS) * HALF_LIFE_MS;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e.type !== 'view') continue;
    const c = itemCategory.get(e.item);
    if (c !== undefined) out[c] += 2 ** ((e.ts - landmark) / HALF_LIFE_MS);
  }
  let top = -1;
  for (let c = 0; c < out.length; c++) {
    const s = out[c];
    if (s > 0 && (top < 0 || s > out[top] || (s === out[top] && KEY_RANK[c] < KEY_RANK[top]))) top = c;
  }
  const read = 2 ** (-(now - landmark) / HALF_LIFE_MS);
  for (let c = 0; c < out.length; c++) out[c] *= read;
  return top;
}
