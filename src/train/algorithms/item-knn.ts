/**
 * Item-kNN on co-occurrence. Two items are similar when the same users
 * interacted with both:
 *
 *   sim(i, j) = c_ij / (n_i^α · n_j^(1−α) + shrink)
 *
 * with c_ij = Σ_u w_ui·w_uj and n_i = Σ_u w_ui², where w is 1 for an
 * interaction decayed by its age (half-life in days, 0 = off). α = 0.5 is
 * cosine; other α give Aiolli's asymmetric cosine (2013), which on implicit
 * data rewards pairs where j is popular among i's users without being
 * popular everywhere. The shrink term damps pairs seen only a few times.
 * Each item keeps its `neighbourhood` best neighbours; a user's score for j
 * is Σ_{i ∈ user} w_ui · sim(i, j) over those lists.
 *
 * Training walks, for each item, the items of its users into one dense
 * accumulator (touched-list reset), so the cost is Σ_u deg(u)², with no
 * per-pair objects.
 * @module
 */
import type { Interactions, TopKModel, Tunable } from '../model-types.js';
import { TopK } from '../top-k.js';
import { decayedWeights, transpose } from './csr.js';

export interface ItemKnnParams {
  neighbourhood: number;
  /** 0.5 = cosine; other values = asymmetric cosine. */
  alpha: number;
  shrink: number;
  /** Half-life of an interaction's weight in days; 0 turns time decay off. */
  halfLifeDays: number;
}

export const ITEM_KNN_DEFAULTS: ItemKnnParams = {
  neighbourhood: 100,
  alpha: 0.5,
  shrink: 10,
  halfLifeDays: 0,
};

export class ItemKnnModel implements TopKModel {
  readonly name = 'itemknn';
  readonly params: Record<string, number>;
  private readonly p: ItemKnnParams;
  private nbrIdx = new Int32Array(0);
  private nbrSim = new Float32Array(0);
  private nbrLen = new Int32Array(0);
  private weights: Float32Array = new Float32Array(0);
  private train: Interactions | undefined;

  constructor(params: Partial<ItemKnnParams> = {}) {
    this.p = { ...ITEM_KNN_DEFAULTS, ...params };
    this.params = { ...this.p };
  }

  fit(train: Interactions): void {
    const { neighbourhood: kn, alpha, shrink, halfLifeDays } = this.p;
    const n = train.itemIds.length;
    const w = decayedWeights(train, halfLifeDays);
    const t = transpose(train);
    const norm = new Float64Array(n);
    for (let e = 0; e < w.length; e++) norm[train.col[e]!]! += w[e]! * w[e]!;
    const normA = new Float64Array(n);
    const normB = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      normA[i] = norm[i]! ** alpha;
      normB[i] = norm[i]! ** (1 - alpha);
    }
    const acc = new Float64Array(n);
    const touched = new Int32Array(n);
    const top = new TopK(kn);
    this.nbrIdx = new Int32Array(n * kn);
    this.nbrSim = new Float32Array(n * kn);
    this.nbrLen = new Int32Array(n);
    const { rowPtr, col } = train;
    for (let i = 0; i < n; i++) {
      let nt = 0;
      for (let a = t.colPtr[i]!; a < t.colPtr[i + 1]!; a++) {
        const u = t.row[a]!;
        const wi = w[t.pos[a]!]!;
        for (let e = rowPtr[u]!; e < rowPtr[u + 1]!; e++) {
          const j = col[e]!;
          if (acc[j] === 0) touched[nt++] = j;
          acc[j]! += wi * w[e]!;
        }
      }
      top.reset();
      for (let x = 0; x < nt; x++) {
        const j = touched[x]!;
        const c = acc[j]!;
        acc[j] = 0;
        if (j === i || c <= 0) continue;
        top.push(j, c / (normA[i]! * normB[j]! + shrink));
      }
      const list = top.result();
      this.nbrLen[i] = list.length;
      for (let r = 0; r < list.length; r++) {
        this.nbrIdx[i * kn + r] = list[r]![0];
        this.nbrSim[i * kn + r] = list[r]![1];
      }
    }
    this.weights = w;
    this.train = train;
  }

  score(u: number, out: Float32Array): void {
    out.fill(0);
    const x = this.train;
    if (!x) return;
    const kn = this.p.neighbourhood;
    for (let e = x.rowPtr[u]!; e < x.rowPtr[u + 1]!; e++) {
      const i = x.col[e]!;
      const wu = this.weights[e]!;
      const base = i * kn;
      for (let r = 0; r < this.nbrLen[i]!; r++) out[this.nbrIdx[base + r]!]! += wu * this.nbrSim[base + r]!;
    }
  }

  /** Per item, its best min(k, neighbourhood) neighbours, best first. */
  neighbours(k: number): Array<Array<[number, number]>> {
    const kn = this.p.neighbourhood;
    const out: Array<Array<[number, number]>> = [];
    for (let i = 0; i < this.nbrLen.length; i++) {
      const len = Math.min(k, this.nbrLen[i]!);
      const list: Array<[number, number]> = new Array(len);
      for (let r = 0; r < len; r++) list[r] = [this.nbrIdx[i * kn + r]!, this.nbrSim[i * kn + r]!];
      out.push(list);
    }
    return out;
  }
}

const grid: Array<Record<string, number>> = [];
for (const neighbourhood of [50, 200])
  for (const alpha of [0.5, 0.7])
    for (const shrink of [0, 10]) grid.push({ neighbourhood, alpha, shrink, halfLifeDays: 0 });

export const itemKnn: Tunable<TopKModel> = {
  name: 'itemknn',
  grid,
  make: (params) => new ItemKnnModel(params as Partial<ItemKnnParams>),
};
