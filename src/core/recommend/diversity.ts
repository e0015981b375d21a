/**
 * Maximal marginal relevance: reorders the best candidates so each next pick
 * trades relevance against similarity to what is already picked,
 *
 *   next = argmax  λ · rel(i) / rel_max  −  (1 − λ) · max_{j picked} sim(i, j)
 *
 * sim is "same category" (1 or 0), blended half and half with the embedding
 * cosine when the artifact has embeddings. λ = 1 keeps the relevance order.
 * Cost O(picks × pool × picked) over a pool of a few dozen, never the catalog.
 * @module
 */
import type { Artifact } from './artifact-format.js';

export const DEFAULT_DIVERSITY_LAMBDA = 0.75;

export function similarity(a: Artifact, i: number, j: number): number {
  const sameCategory = a.categoryIndexOf(i) === a.categoryIndexOf(j) ? 1 : 0;
  if (a.embeddingDim === 0) return sameCategory;
  return 0.5 * sameCategory + 0.5 * Math.max(0, a.embeddingCosine(i, j));
}

/**
 * Reorders `entries` (best first) in place so the first `picks` positions
 * follow MMR; the rest keep their relevance order.
 */
export function mmrReorder<E extends { item: number; score: number }>(
  a: Artifact,
  entries: E[],
  picks: number,
  lambda: number,
): void {
  const n = entries.length;
  if (lambda >= 1 || n < 2) return;
  let max = 0;
  for (const e of entries) max = Math.max(max, Math.abs(e.score));
  const norm = max > 0 ? 1 / max : 0;
  const limit = Math.min(picks, n);
  // Each candidate's redundancy (max similarity to anything picked so far) is
  // kept up to date as picks are made: O(picks × pool) similarity calls.
  if (redundancy.length < n) redundancy = new Float64Array(n * 2);
  for (let c = 1; c < n; c++) redundancy[c] = similarity(a, entries[c]!.item, entries[0]!.item);
  for (let p = 1; p < limit; p++) {
    let best = p;
    let bestValue = Number.NEGATIVE_INFINITY;
    for (let c = p; c < n; c++) {
      const value = lambda * entries[c]!.score * norm - (1 - lambda) * redundancy[c]!;
      if (value > bestValue) {
        bestValue = value;
        best = c;
      }
    }
    // Move the pick to position p, shifting the others down: relevance order is kept among the rest.
    if (best !== p) {
      const picked = entries[best]!;
      const r = redundancy[best]!;
      for (let c = best; c > p; c--) {
        entries[c] = entries[c - 1]!;
        redundancy[c] = redundancy[c - 1]!;
      }
      entries[p] = picked;
      redundancy[p] = r;
    }
    const item = entries[p]!.item;
    for (let c = p + 1; c < n; c++) {
      const sim = similarity(a, entries[c]!.item, item);
      if (sim > redundancy[c]!) redundancy[c] = sim;
    }
  }
}

/** Scratch space reused across calls (one decision at a time per isolate). */
let redundancy = new Float64Array(64);
