/**
 * Ranking metrics with binary relevance, as Microsoft Recommenders computes
 * them (recommenders/evaluation/python_evaluation.py):
 *
 * - MAP is their `map` (not `map_at_k`): per user, the sum over hits of the
 *   precision at the hit's rank, divided by the user's number of test items
 *   (`map_at_k` divides by min(that, k) instead; it is reported as `map_at_k`).
 * - nDCG@k: Σ over hits 1/log(1+rank) over the ideal Σ_{r ≤ min(relevant, k)}
 *   1/log(1+r). The log base cancels.
 * - Precision@k: hits / k, even when fewer than k items could be ranked.
 * - Recall@k: hits / number of test items.
 *
 * Each is averaged over the evaluated users. Next-item: HR@k is the share of
 * predictions whose target is in the top k, MRR@k the mean of 1/rank (0 when
 * the target is not in the top k).
 * @module
 */

export interface TopKScores {
  map: number;
  map_at_k: number;
  ndcg: number;
  precision: number;
  recall: number;
  users: number;
}

export class TopKAccumulator {
  private sum = { map: 0, mapK: 0, ndcg: 0, precision: 0, recall: 0 };
  private users = 0;

  constructor(readonly k: number) {}

  /**
   * One user: `ranked` best first (already cut to k, seen items removed),
   * `isRelevant` says whether an item is among the user's test items, of
   * which there are `nRelevant` (> 0).
   */
  add(ranked: ArrayLike<number>, isRelevant: (item: number) => boolean, nRelevant: number): void {
    const k = this.k;
    let hits = 0;
    let ap = 0;
    let dcg = 0;
    const n = Math.min(k, ranked.length);
    for (let r = 1; r <= n; r++) {
      if (!isRelevant(ranked[r - 1]!)) continue;
      hits++;
      ap += hits / r;
      dcg += 1 / Math.log2(1 + r);
    }
    let idcg = 0;
    for (let r = 1; r <= Math.min(nRelevant, k); r++) idcg += 1 / Math.log2(1 + r);
    this.users++;
    this.sum.map += ap / nRelevant;
    this.sum.mapK += ap / Math.min(nRelevant, k);
    this.sum.ndcg += idcg > 0 ? dcg / idcg : 0;
    this.sum.precision += hits / k;
    this.sum.recall += hits / nRelevant;
  }

  result(): TopKScores {
    const n = Math.max(1, this.users);
    return {
      map: this.sum.map / n,
      map_at_k: this.sum.mapK / n,
      ndcg: this.sum.ndcg / n,
      precision: this.sum.precision / n,
      recall: this.sum.recall / n,
      users: this.users,
    };
  }
}

export interface NextItemScores {
  hr: number;
  mrr: number;
  predictions: number;
}

export class NextItemAccumulator {
  private hits = 0;
  private rr = 0;
  private n = 0;

  constructor(readonly k: number) {}

  add(ranked: ArrayLike<number>, target: number): void {
    this.n++;
    const n = Math.min(this.k, ranked.length);
    for (let r = 0; r < n; r++) {
      if (ranked[r] !== target) continue;
      this.hits++;
      this.rr += 1 / (r + 1);
      return;
    }
  }

  result(): NextItemScores {
    const n = Math.max(1, this.n);
    return { hr: this.hits / n, mrr: this.rr / n, predictions: this.n };
  }
}
