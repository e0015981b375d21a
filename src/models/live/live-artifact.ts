/**
 * The served artifact with the live counts laid over it, built off the hot
 * path each refresh: items the trainer never saw (catalog items visitors
 * started viewing) get indices after the artifact's own, and every item with
 * live co-occurrence or successors gets a merged row — the trained scores
 * and the live ones, each normalised by its row's best, summed with
 * `weight` on the live side, best K kept. Popularity blends the trained
 * order with live counts the same way. Everything else reads through to the
 * trained artifact, so a decision costs what it did.
 * @module
 */
import type { CatalogItem } from '../../core/config.js';
import type { Artifact, NeighbourRows } from '../../core/recommend/index.js';
import type { LiveCounts, Row } from './live-counts.js';

interface MergedRow {
  ids: Int32Array;
  scores: Float32Array;
}

function mergedRows(
  base: NeighbourRows | undefined,
  baseCount: number,
  live: Map<string, Row>,
  indexOf: (id: string) => number,
  k: number,
  weight: number,
): Map<number, MergedRow> {
  const out = new Map<number, MergedRow>();
  const ids = new Int32Array(Math.max(k, base?.k ?? 0));
  const scores = new Float32Array(ids.length);
  for (const [from, row] of live) {
    const i = indexOf(from);
    if (i < 0) continue;
    const merged = new Map<number, number>();
    const n = base && i < baseCount ? base.read(i, ids, scores) : 0;
    const baseMax = n > 0 ? Math.max(scores[0]!, 1e-12) : 1;
    for (let j = 0; j < n; j++) merged.set(ids[j]!, scores[j]! / baseMax);
    let liveMax = 0;
    for (const v of row.values()) liveMax = Math.max(liveMax, v);
    if (liveMax <= 0) continue;
    for (const [to, v] of row) {
      const t = indexOf(to);
      if (t < 0 || t === i) continue;
      merged.set(t, (merged.get(t) ?? 0) + (weight * v) / liveMax);
    }
    const best = [...merged].sort((a, b) => b[1] - a[1]).slice(0, k);
    out.set(i, { ids: Int32Array.from(best, (b) => b[0]), scores: Float32Array.from(best, (b) => b[1]) });
  }
  return out;
}

function overlayRows(
  base: NeighbourRows | undefined,
  baseCount: number,
  k: number,
  rows: Map<number, MergedRow>,
): NeighbourRows {
  return {
    k,
    scoreBits: 32,
    read(i, ids, scores) {
      const r = rows.get(i);
      if (r) {
        ids.set(r.ids);
        scores.set(r.scores);
        return r.ids.length;
      }
      // A new item without live neighbours yet has none: the trained rows end at baseCount.
      return base && i < baseCount ? base.read(i, ids, scores) : 0;
    },
  };
}

/** The overlay of `counts` on `base`; `generation` tells overlays of one base apart (memo keys). */
export function liveArtifact(
  base: Artifact,
  counts: LiveCounts,
  catalog: ReadonlyMap<string, CatalogItem>,
  o: { weight: number; generation: number },
): Artifact {
  const baseCount = base.itemCount;
  const added: CatalogItem[] = [];
  const addedIndex = new Map<string, number>();
  for (const id of counts.popularity.keys()) {
    if (base.indexOf(id) >= 0 || addedIndex.has(id)) continue;
    const item = catalog.get(id);
    if (!item) continue; // not a product of this shop: nothing to show for it
    addedIndex.set(id, baseCount + added.length);
    added.push(item);
  }
  const indexOf = (id: string) => {
    const i = base.indexOf(id);
    return i >= 0 ? i : (addedIndex.get(id) ?? -1);
  };
  const newItem = (i: number) => added[i - baseCount];
  const k = base.k;
  const neighbours = overlayRows(
    base.neighbours,
    baseCount,
    k,
    mergedRows(base.neighbours, baseCount, counts.together, indexOf, k, o.weight),
  );
  const sessionK = base.sessionNext?.k ?? k;
  const sessionNext =
    base.sessionNext || counts.next.size > 0
      ? overlayRows(
          base.sessionNext,
          baseCount,
          sessionK,
          mergedRows(base.sessionNext, baseCount, counts.next, indexOf, sessionK, o.weight),
        )
      : undefined;
  // Popularity: the trained rank as a score in (0, 1], plus the live share of the busiest item's count.
  const score = new Map<number, number>();
  const trained = base.popular;
  for (let rank = 0; rank < trained.length; rank++) score.set(trained[rank]!, 1 - rank / trained.length);
  let liveMax = 0;
  for (const v of counts.popularity.values()) liveMax = Math.max(liveMax, v);
  if (liveMax > 0)
    for (const [id, v] of counts.popularity) {
      const i = indexOf(id);
      if (i >= 0) score.set(i, (score.get(i) ?? 0) + (o.weight * v) / liveMax);
    }
  const popular = Int32Array.from(
    [...score].sort((a, b) => b[1] - a[1]),
    (e) => e[0],
  );
  const cat = (i: number) => newItem(i)?.category ?? '';
  const brand = (i: number) => newItem(i)?.brand ?? '';
  return {
    ...bound(base),
    version: `${base.version}+live${o.generation}`,
    itemCount: baseCount + added.length,
    indexOf,
    idOf: (i) => (i < baseCount ? base.idOf(i) : (newItem(i)?.id ?? '')),
    titleOf: (i) => (i < baseCount ? base.titleOf(i) : newItem(i)?.title),
    neighbours,
    sessionNext,
    popular,
    isNew: (i) => (i < baseCount ? base.isNew(i) : true),
    categoryOf: (i) => (i < baseCount ? base.categoryOf(i) : cat(i)),
    brandOf: (i) => (i < baseCount ? base.brandOf(i) : brand(i)),
    categoryIndexOf: (i) => (i < baseCount ? base.categoryIndexOf(i) : base.categoryIndex(cat(i))),
    brandIndexOf: (i) => (i < baseCount ? base.brandIndexOf(i) : base.brandIndex(brand(i))),
    tagsOf: (i) => (i < baseCount ? base.tagsOf(i) : [...(newItem(i)?.tags ?? [])]),
    inStock: (i) => (i < baseCount ? base.inStock(i) : (newItem(i)?.in_stock ?? false)),
    embeddingOf: (i) => (i < baseCount ? base.embeddingOf(i) : undefined),
    embeddingCosine: (i, j) => (i < baseCount && j < baseCount ? base.embeddingCosine(i, j) : 0),
  };
}

/** The artifact's own methods bound to it, so the overlay can spread them. */
function bound(a: Artifact): Artifact {
  return {
    version: a.version,
    formatVersion: a.formatVersion,
    createdAt: a.createdAt,
    trainer: a.trainer,
    itemCount: a.itemCount,
    // The session model ranks by item index: items the overlay adds are past its table, so it ignores them.
    sessionOnnx: a.sessionOnnx,
    k: a.k,
    indexOf: (id) => a.indexOf(id),
    idOf: (i) => a.idOf(i),
    titleOf: (i) => a.titleOf(i),
    neighbours: a.neighbours,
    sessionNext: a.sessionNext,
    popular: a.popular,
    segmentNames: a.segmentNames,
    segmentList: (n) => a.segmentList(n),
    contextNames: a.contextNames,
    contextList: (key) => a.contextList(key),
    userList: (u) => a.userList(u),
    isNew: (i) => a.isNew(i),
    categoryOf: (i) => a.categoryOf(i),
    brandOf: (i) => a.brandOf(i),
    categoryIndexOf: (i) => a.categoryIndexOf(i),
    brandIndexOf: (i) => a.brandIndexOf(i),
    categoryIndex: (n) => a.categoryIndex(n),
    brandIndex: (n) => a.brandIndex(n),
    tagsOf: (i) => a.tagsOf(i),
    inStock: (i) => a.inStock(i),
    embeddingDim: a.embeddingDim,
    embeddingOf: (i) => a.embeddingOf(i),
    embeddingCosine: (i, j) => a.embeddingCosine(i, j),
    byteLength: a.byteLength,
  };
}
