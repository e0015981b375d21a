/**
 * Implicit-feedback ALS (Hu, Koren & Volinsky, "Collaborative Filtering for
 * Implicit Feedback Datasets", ICDM 2008) solved with a few conjugate-gradient
 * steps per row instead of a full solve (Takács, Pilászy & Tikk, "Applications
 * of the conjugate gradient method for implicit feedback collaborative
 * filtering", RecSys 2011). Every (user, item) pair has preference p = 1 if
 * seen, else 0, and confidence c = 1 + α·value; the loss is
 *
 *   Σ_{u,i} c_ui (p_ui − x_u·y_i)² + λ(Σ|x_u|² + Σ|y_i|²).
 *
 * The trick that makes it sparse: (YᵀC_uY + λI) = (YᵀY + λI) + Yᵀ(C_u − I)Y,
 * where the second term touches only u's items. CG starts from the previous
 * iterate, so 3 steps per sweep are enough. Item factors are kept for the
 * federated-learning work that will reuse them.
 * @module
 */
import type { Interactions, TopKModel, Tunable } from '../model-types.js';
import { mulberry32 } from '../rng.js';
import { transpose } from './csr.js';
import { factorNeighbours } from './factor-neighbours.js';

export interface AlsParams {
  factors: number;
  regularization: number;
  alpha: number;
  iterations: number;
  cgSteps: number;
  seed: number;
}

export const ALS_DEFAULTS: AlsParams = {
  factors: 64,
  regularization: 0.05,
  alpha: 10,
  iterations: 15,
  cgSteps: 3,
  seed: 42,
};

/** YᵀY + λI for the f-column factor matrix Y of `rows` rows. */
function gram(y: Float64Array, rows: number, f: number, lambda: number): Float64Array {
  const g = new Float64Array(f * f);
  for (let r = 0; r < rows; r++) {
    const o = r * f;
    for (let a = 0; a < f; a++) {
      const ya = y[o + a]!;
      if (ya === 0) continue;
      for (let b = 0; b < f; b++) g[a * f + b]! += ya * y[o + b]!;
    }
  }
  for (let a = 0; a < f; a++) g[a * f + a]! += lambda;
  return g;
}

/**
 * A few CG steps on row `row` of X against fixed factors Y: the entries are
 * (item index in `idx`, confidence in `conf`) over [from, to).
 */
function cgRow(
  x: Float64Array,
  row: number,
  y: Float64Array,
  yty: Float64Array,
  f: number,
  idx: Int32Array,
  conf: Float64Array,
  from: number,
  to: number,
  steps: number,
  scratch: { r: Float64Array; p: Float64Array; ap: Float64Array },
): void {
  const { r, p, ap } = scratch;
  const o = row * f;
  // r = b − A·x with b = Σ c_i y_i and A·x = YtY·x + Σ (c_i − 1)(y_i·x) y_i.
  for (let a = 0; a < f; a++) {
    let s = 0;
    for (let b = 0; b < f; b++) s += yty[a * f + b]! * x[o + b]!;
    r[a] = -s;
  }
  for (let e = from; e < to; e++) {
    const yo = idx[e]! * f;
    const c = conf[e]!;
    let dot = 0;
    for (let a = 0; a < f; a++) dot += y[yo + a]! * x[o + a]!;
    const coef = c - (c - 1) * dot;
    for (let a = 0; a < f; a++) r[a]! += coef * y[yo + a]!;
  }
  p.set(r);
  let rsOld = 0;
  for (let a = 0; a < f; a++) rsOld += r[a]! * r[a]!;
  for (let it = 0; it < steps && rsOld > 1e-20; it++) {
    for (let a = 0; a < f; a++) {
      let s = 0;
      for (let b = 0; b < f; b++) s += yty[a * f + b]! * p[b]!;
      ap[a] = s;
    }
    for (let e = from; e < to; e++) {
      const yo = idx[e]! * f;
      let dot = 0;
      for (let a = 0; a < f; a++) dot += y[yo + a]! * p[a]!;
      const coef = (conf[e]! - 1) * dot;
      for (let a = 0; a < f; a++) ap[a]! += coef * y[yo + a]!;
    }
    let pAp = 0;
    for (let a = 0; a < f; a++) pAp += p[a]! * ap[a]!;
    const step = rsOld / pAp;
    let rsNew = 0;
    for (let a = 0; a < f; a++) {
      x[o + a]! += step * p[a]!;
      r[a]! -= step * ap[a]!;
      rsNew += r[a]! * r[a]!;
    }
    for (let a = 0; a < f; a++) p[a] = r[a]! + (rsNew / rsOld) * p[a]!;
    rsOld = rsNew;
  }
}

export class AlsModel implements TopKModel {
  readonly name = 'als';
  readonly params: Record<string, number>;
  readonly p: AlsParams;
  users = new Float64Array(0);
  items = new Float64Array(0);
  /** Loss after each sweep of the last fit (for checking convergence). */
  lossHistory: number[] = [];
  trackLoss = false;

  constructor(params: Partial<AlsParams> = {}) {
    this.p = { ...ALS_DEFAULTS, ...params };
    this.params = { ...this.p };
  }

  fit(train: Interactions): void {
    const { factors: f, regularization: lambda, alpha, iterations, cgSteps, seed } = this.p;
    const m = train.rowPtr.length - 1;
    const n = train.itemIds.length;
    const rng = mulberry32(seed);
    this.users = new Float64Array(m * f);
    this.items = new Float64Array(n * f);
    for (let q = 0; q < this.items.length; q++) this.items[q] = (rng() - 0.5) * 0.02;
    const confU = new Float64Array(train.col.length);
    for (let e = 0; e < confU.length; e++) confU[e] = 1 + alpha * train.val[e]!;
    const t = transpose(train);
    const confI = new Float64Array(t.row.length);
    for (let e = 0; e < confI.length; e++) confI[e] = confU[t.pos[e]!]!;
    const scratch = { r: new Float64Array(f), p: new Float64Array(f), ap: new Float64Array(f) };
    this.lossHistory = [];
    for (let it = 0; it < iterations; it++) {
      const yty = gram(this.items, n, f, lambda);
      for (let u = 0; u < m; u++)
        cgRow(
          this.users,
          u,
          this.items,
          yty,
          f,
          train.col,
          confU,
          train.rowPtr[u]!,
          train.rowPtr[u + 1]!,
          cgSteps,
          scratch,
        );
      const xtx = gram(this.users, m, f, lambda);
      for (let i = 0; i < n; i++)
        cgRow(
          this.items,
          i,
          this.users,
          xtx,
          f,
          t.row,
          confI,
          t.colPtr[i]!,
          t.colPtr[i + 1]!,
          cgSteps,
          scratch,
        );
      if (this.trackLoss) this.lossHistory.push(this.loss(train));
    }
  }

  /** The objective above, in O(nnz·f + (m + n)·f²): unseen pairs contribute x_uᵀ(YᵀY)x_u in total. */
  loss(train: Interactions): number {
    const { factors: f, regularization: lambda, alpha } = this.p;
    const m = train.rowPtr.length - 1;
    const n = train.itemIds.length;
    const yty = gram(this.items, n, f, 0);
    let total = 0;
    for (let u = 0; u < m; u++) {
      const o = u * f;
      for (let a = 0; a < f; a++) {
        let s = 0;
        for (let b = 0; b < f; b++) s += yty[a * f + b]! * this.users[o + b]!;
        total += this.users[o + a]! * s;
      }
      for (let e = train.rowPtr[u]!; e < train.rowPtr[u + 1]!; e++) {
        const yo = train.col[e]! * f;
        let dot = 0;
        for (let a = 0; a < f; a++) dot += this.users[o + a]! * this.items[yo + a]!;
        const c = 1 + alpha * train.val[e]!;
        total += c * (1 - dot) ** 2 - dot * dot;
      }
    }
    let reg = 0;
    for (const v of this.users) reg += v * v;
    for (const v of this.items) reg += v * v;
    return total + lambda * reg;
  }

  score(u: number, out: Float32Array): void {
    const f = this.p.factors;
    const n = out.length;
    const o = u * f;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let a = 0; a < f; a++) s += this.users[o + a]! * this.items[i * f + a]!;
      out[i] = s;
    }
  }

  /** Item-item neighbours: cosine of the item factors, so ALS fills the artifact's neighbour section too. */
  neighbours(k: number): Array<Array<[number, number]>> {
    return factorNeighbours(this.items, this.items.length / this.p.factors, this.p.factors, k);
  }

  itemFactors(): { dim: number; data: Float32Array } {
    return { dim: this.p.factors, data: Float32Array.from(this.items) };
  }
}

const grid: Array<Record<string, number>> = [];
for (const factors of [32, 64])
  for (const regularization of [0.05, 1])
    for (const alpha of [5, 20]) grid.push({ factors, regularization, alpha, iterations: 12 });

export const als: Tunable<TopKModel> = {
  name: 'als',
  grid,
  make: (params) => new AlsModel(params as Partial<AlsParams>),
};
