/**
 * BPR-MF (Rendle, Freudenthaler, Gantner & Schmidt-Thieme, "BPR: Bayesian
 * Personalized Ranking from Implicit Feedback", UAI 2009): matrix
 * factorization trained on the pairwise ranking loss
 *
 *   Σ_(u,i,j) −ln σ(x̂_ui − x̂_uj) + λ(|p_u|² + |q_i|² + |q_j|² + b_i² + b_j²),
 *   x̂_ui = b_i + p_u·q_i,
 *
 * over triples of a user, an item they interacted with (i) and one they did
 * not (j), by stochastic gradient ascent with LearnBPR's bootstrap sampling:
 * each step draws an interaction uniformly (so active users and popular items
 * are drawn in proportion) and a negative uniformly among the user's unseen
 * items. An epoch is as many steps as there are interactions. All draws come
 * from the seeded PRNG, so a fit is deterministic for its seed.
 * @module
 */
import type { Interactions, TopKModel, Tunable } from '../model-types.js';
import { mulberry32 } from '../rng.js';
import { factorNeighbours } from './factor-neighbours.js';

export interface BprParams {
  factors: number;
  learningRate: number;
  regularization: number;
  epochs: number;
  seed: number;
}

export const BPR_DEFAULTS: BprParams = {
  factors: 64,
  learningRate: 0.05,
  regularization: 0.03,
  epochs: 30,
  seed: 42,
};

/** User u's items, sorted, for the "has u seen j?" test by binary search. */
function sortedRows(x: Interactions): Int32Array {
  const s = Int32Array.from(x.col);
  for (let u = 0; u + 1 < x.rowPtr.length; u++) s.subarray(x.rowPtr[u]!, x.rowPtr[u + 1]!).sort();
  return s;
}

function contains(s: Int32Array, from: number, to: number, j: number): boolean {
  let lo = from;
  let hi = to - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = s[mid]!;
    if (v === j) return true;
    if (v < j) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

export class BprModel implements TopKModel {
  readonly name = 'bpr';
  readonly params: Record<string, number>;
  readonly p: BprParams;
  users = new Float32Array(0);
  items = new Float32Array(0);
  bias = new Float32Array(0);

  constructor(params: Partial<BprParams> = {}) {
    this.p = { ...BPR_DEFAULTS, ...params };
    this.params = { ...this.p };
  }

  fit(train: Interactions): void {
    const { factors: f, learningRate: lr, regularization: reg, epochs, seed } = this.p;
    const m = train.rowPtr.length - 1;
    const n = train.itemIds.length;
    const nnz = train.col.length;
    const rng = mulberry32(seed);
    const scale = 0.1 / Math.sqrt(f);
    const users = new Float32Array(m * f);
    const items = new Float32Array(n * f);
    for (let q = 0; q < users.length; q++) users[q] = (rng() - 0.5) * 2 * scale;
    for (let q = 0; q < items.length; q++) items[q] = (rng() - 0.5) * 2 * scale;
    const bias = new Float32Array(n);
    // The user of each entry, so an entry drawn at random names its user.
    const owner = new Int32Array(nnz);
    for (let u = 0; u < m; u++) owner.fill(u, train.rowPtr[u]!, train.rowPtr[u + 1]!);
    const seen = sortedRows(train);
    const pu = new Float32Array(f);
    for (let ep = 0; ep < epochs && nnz > 0; ep++) {
      for (let step = 0; step < nnz; step++) {
        const e = Math.floor(rng() * nnz);
        const u = owner[e]!;
        const from = train.rowPtr[u]!;
        const to = train.rowPtr[u + 1]!;
        // A user who has seen every item has no negative to learn from.
        if (to - from >= n) continue;
        const i = train.col[e]!;
        let j = Math.floor(rng() * n);
        while (contains(seen, from, to, j)) j = Math.floor(rng() * n);
        const ou = u * f;
        const oi = i * f;
        const oj = j * f;
        let x = bias[i]! - bias[j]!;
        for (let a = 0; a < f; a++) x += users[ou + a]! * (items[oi + a]! - items[oj + a]!);
        // σ(−x): the gradient of ln σ(x) with respect to x.
        const g = 1 / (1 + Math.exp(x));
        pu.set(users.subarray(ou, ou + f));
        for (let a = 0; a < f; a++) {
          const qi = items[oi + a]!;
          const qj = items[oj + a]!;
          users[ou + a]! += lr * (g * (qi - qj) - reg * pu[a]!);
          items[oi + a]! += lr * (g * pu[a]! - reg * qi);
          items[oj + a]! += lr * (-g * pu[a]! - reg * qj);
        }
        bias[i]! += lr * (g - reg * bias[i]!);
        bias[j]! += lr * (-g - reg * bias[j]!);
      }
    }
    this.users = users;
    this.items = items;
    this.bias = bias;
  }

  score(u: number, out: Float32Array): void {
    const f = this.p.factors;
    const o = u * f;
    for (let i = 0; i < out.length; i++) {
      let s = this.bias[i]!;
      for (let a = 0; a < f; a++) s += this.users[o + a]! * this.items[i * f + a]!;
      out[i] = s;
    }
  }

  /** Cosine neighbours of the item factors (the biases are popularity, not similarity). */
  neighbours(k: number): Array<Array<[number, number]>> {
    return factorNeighbours(this.items, this.bias.length, this.p.factors, k);
  }

  itemFactors(): { dim: number; data: Float32Array } {
    return { dim: this.p.factors, data: Float32Array.from(this.items) };
  }
}

// Around the best of a sweep on ML-100k-shaped generated data (regularization matters most).
const grid: Array<Record<string, number>> = [0.03, 0.01, 0.06].map((regularization) => ({
  factors: 64,
  learningRate: 0.05,
  regularization,
  epochs: 30,
}));
grid.push({ factors: 64, learningRate: 0.05, regularization: 0.03, epochs: 20 });

export const bpr: Tunable<TopKModel> = {
  name: 'bpr',
  grid,
  make: (params) => new BprModel(params as Partial<BprParams>),
};
