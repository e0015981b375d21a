/**
 * What accuracy does not show, computed as Microsoft Recommenders does:
 *
 * - catalog coverage: distinct recommended items / items in training;
 * - novelty: over every recommended entry, the mean of −log2 p(i), where p(i)
 *   is the share of training users who interacted with item i;
 * - intra-list diversity: per user, 1 − the mean similarity over pairs of the
 *   list, averaged over users. Similarity is 1 for two items of the same
 *   category when categories are known; otherwise the cosine of their
 *   co-occurrence in training, |U(i) ∩ U(j)| / √(|U(i)|·|U(j)|).
 * @module
 */
import type { Interactions } from '../model-types.js';

/** Item → sorted training users (CSC), for popularity and co-occurrence. */
export class ItemUsers {
  readonly start: Int32Array;
  readonly users: Int32Array;
  readonly nUsers: number;

  constructor(train: Interactions) {
    const nItems = train.itemIds.length;
    this.nUsers = train.userIds.length;
    this.start = new Int32Array(nItems + 1);
    for (const i of train.col) this.start[i + 1]!++;
    for (let i = 0; i < nItems; i++) this.start[i + 1]! += this.start[i]!;
    this.users = new Int32Array(train.col.length);
    const fill = this.start.slice(0, nItems);
    for (let u = 0; u < this.nUsers; u++)
      for (let p = train.rowPtr[u]!; p < train.rowPtr[u + 1]!; p++) this.users[fill[train.col[p]!]!++] = u;
  }

  count(i: number): number {
    return this.start[i + 1]! - this.start[i]!;
  }

  cooccurrence(a: number, b: number): number {
    let p = this.start[a]!;
    let q = this.start[b]!;
    const pe = this.start[a + 1]!;
    const qe = this.start[b + 1]!;
    let n = 0;
    while (p < pe && q < qe) {
      const x = this.users[p]!;
      const y = this.users[q]!;
      if (x === y) {
        n++;
        p++;
        q++;
      } else if (x < y) p++;
      else q++;
    }
    return n;
  }
}

export interface BeyondAccuracy {
  coverage: number;
  diversity: number;
  novelty: number;
}

export class BeyondAccuracyAccumulator {
  private readonly recommended: Uint8Array;
  private readonly cosine = new Map<number, number>();
  private distinct = 0;
  private noveltySum = 0;
  private entries = 0;
  private diversitySum = 0;
  private lists = 0;
  private readonly catalog: number;

  constructor(
    private readonly index: ItemUsers,
    private readonly itemCategory?: ArrayLike<number>,
  ) {
    const nItems = index.start.length - 1;
    this.recommended = new Uint8Array(nItems);
    let inTrain = 0;
    for (let i = 0; i < nItems; i++) if (index.count(i) > 0) inTrain++;
    this.catalog = inTrain;
  }

  add(ranked: ArrayLike<number>): void {
    const n = ranked.length;
    for (let r = 0; r < n; r++) {
      const i = ranked[r]!;
      if (!this.recommended[i]) {
        this.recommended[i] = 1;
        this.distinct++;
      }
      const c = this.index.count(i);
      if (c > 0) {
        this.noveltySum += -Math.log2(c / this.index.nUsers);
        this.entries++;
      }
    }
    if (n < 2) return;
    let sim = 0;
    for (let a = 0; a < n; a++)
      for (let b = a + 1; b < n; b++) sim += this.similarity(ranked[a]!, ranked[b]!);
    this.diversitySum += 1 - sim / ((n * (n - 1)) / 2);
    this.lists++;
  }

  private similarity(a: number, b: number): number {
    if (this.itemCategory) return this.itemCategory[a] === this.itemCategory[b] ? 1 : 0;
    const lo = Math.min(a, b);
    const hi = Math.max(a, b);
    const key = lo * (this.recommended.length + 1) + hi;
    let s = this.cosine.get(key);
    if (s === undefined) {
      const d = Math.sqrt(this.index.count(lo) * this.index.count(hi));
      s = d > 0 ? this.index.cooccurrence(lo, hi) / d : 0;
      this.cosine.set(key, s);
    }
    return s;
  }

  result(): BeyondAccuracy {
    return {
      coverage: this.catalog > 0 ? this.distinct / this.catalog : 0,
      diversity: this.lists > 0 ? this.diversitySum / this.lists : 0,
      novelty: this.entries > 0 ? this.noveltySum / this.entries : 0,
    };
  }
}
