/**
 * Content-based neighbours from catalog attributes, so a shop with no history
 * still gets "similar items". Similarity of two items:
 *
 *   0.6 · [same category] + 0.3 · Jaccard(tags) + 0.1 · [same brand]
 *
 * The weights make any same-category item outrank any item of another
 * category (0.6 > 0.3 + 0.1). Ties go to the item nearest in catalog order
 * (circular distance), then the lower index: deterministic, and it spreads
 * ties instead of making the first items of a category everyone's neighbour.
 *
 * Cost: candidates come only from shared buckets (category, tag, brand), never
 * all pairs. A bucket larger than BUCKET_SCAN is scanned only in a window of
 * BUCKET_SCAN items around the item (again by catalog order), which bounds
 * the work per item for catalogs with a few huge categories.
 * @module
 */
import { TopK } from './top-k.js';

export interface CatalogItemLike {
  id: string;
  category: string;
  brand: string;
  tags: readonly string[];
}

export const ATTRIBUTE_WEIGHTS = { category: 0.6, tags: 0.3, brand: 0.1 } as const;
/** Most members of one bucket looked at per item. */
export const BUCKET_SCAN = 1000;

function buckets(keys: ReadonlyArray<readonly string[]>): Map<string, number[]> {
  const out = new Map<string, number[]>();
  keys.forEach((ks, i) => {
    for (const key of ks) {
      if (key === '') continue;
      let b = out.get(key);
      if (b === undefined) {
        b = [];
        out.set(key, b);
      }
      b.push(i); // ascending by construction
    }
  });
  return out;
}

/** Calls `visit` for the bucket's members, or a window of BUCKET_SCAN around `i` in a large bucket. */
function scan(bucket: readonly number[], i: number, visit: (j: number) => void): void {
  if (bucket.length <= BUCKET_SCAN) {
    for (const j of bucket) visit(j);
    return;
  }
  let lo = 0;
  let hi = bucket.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (bucket[mid]! < i) lo = mid + 1;
    else hi = mid;
  }
  const start = lo - (BUCKET_SCAN >> 1);
  for (let t = 0; t < BUCKET_SCAN; t++) {
    const at = (((start + t) % bucket.length) + bucket.length) % bucket.length;
    visit(bucket[at]!);
  }
}

/** Top-k attribute neighbours of every item: [item index, score], best first. */
export function attributeNeighbours(items: CatalogItemLike[], k: number): Array<Array<[number, number]>> {
  const n = items.length;
  const tags = items.map((it) => [...new Set(it.tags)]);
  const byCategory = buckets(items.map((it) => [it.category]));
  const byBrand = buckets(items.map((it) => [it.brand]));
  const byTag = buckets(tags);

  const score = new Float64Array(n);
  const shared = new Int32Array(n);
  const stamp = new Int32Array(n).fill(-1);
  const touched: number[] = [];
  const top = new TopK(Math.min(k, Math.max(0, n - 1)));
  const out: Array<Array<[number, number]>> = new Array(n);

  for (let i = 0; i < n; i++) {
    touched.length = 0;
    const touch = (j: number): boolean => {
      if (j === i) return false;
      if (stamp[j] !== i) {
        stamp[j] = i;
        score[j] = 0;
        shared[j] = 0;
        touched.push(j);
      }
      return true;
    };
    const it = items[i]!;
    const catBucket = byCategory.get(it.category);
    if (catBucket) {
      scan(catBucket, i, (j) => {
        if (touch(j)) score[j]! += ATTRIBUTE_WEIGHTS.category;
      });
    }
    for (const t of tags[i]!) {
      scan(byTag.get(t)!, i, (j) => {
        if (touch(j)) shared[j]!++;
      });
    }
    const brandBucket = byBrand.get(it.brand);
    if (brandBucket) {
      scan(brandBucket, i, (j) => {
        if (touch(j)) score[j]! += ATTRIBUTE_WEIGHTS.brand;
      });
    }
    top.reset();
    const ti = tags[i]!.length;
    for (const j of touched) {
      const s = shared[j]!;
      if (s > 0) score[j]! += (ATTRIBUTE_WEIGHTS.tags * s) / (ti + tags[j]!.length - s);
      const d = Math.abs(i - j);
      top.push(j, score[j]!, Math.min(d, n - d));
    }
    out[i] = top.result();
  }
  return out;
}
