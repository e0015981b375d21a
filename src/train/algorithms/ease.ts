/**
 * EASE (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW
 * 2019): the closed-form item-item ridge regression with a zero diagonal,
 *
 *   G = XᵀX + λI,  P = G⁻¹,  B = −P / diag(P) (column-wise),  B_jj = 0,
 *
 * and a user's scores are x_u·B. X is binary (an interaction is 1).
 *
 * P comes from the blocked Cholesky inverse (spd-inverse.ts) of the n × n
 * item Gram. When there are fewer users than items, the Woodbury identity
 * gives the same P from an m × m inverse instead,
 *
 *   (XᵀX + λI)⁻¹ = (I − Xᵀ(XXᵀ + λI)⁻¹X) / λ,
 *
 * which is exact and costs m³/2 + m·nnz + n·nnz rather than n³/2.
 * @module
 */
import type { Interactions, TopKModel, Tunable } from '../model-types.js';
import { TopK } from '../top-k.js';
import { transpose } from './csr.js';
import { spdInverse } from './spd-inverse.js';

export type EaseSolver = 'auto' | 'items' | 'users';

/** P = (XᵀX + λI)⁻¹ through the n × n item Gram. */
function inverseByItems(x: Interactions, lambda: number): Float64Array {
  const n = x.itemIds.length;
  const g = new Float64Array(n * n);
  for (let u = 0; u + 1 < x.rowPtr.length; u++) {
    const a = x.rowPtr[u]!;
    const b = x.rowPtr[u + 1]!;
    for (let e = a; e < b; e++) {
      const ri = x.col[e]! * n;
      for (let f = a; f < b; f++) g[ri + x.col[f]!]! += 1;
    }
  }
  for (let i = 0; i < n; i++) g[i * n + i]! += lambda;
  return spdInverse(g, n);
}

/** The same P through the m × m user Gram (Woodbury). */
function inverseByUsers(x: Interactions, lambda: number): Float64Array {
  const n = x.itemIds.length;
  const m = x.rowPtr.length - 1;
  const t = transpose(x);
  const k = new Float64Array(m * m);
  for (let i = 0; i < n; i++) {
    const a = t.colPtr[i]!;
    const b = t.colPtr[i + 1]!;
    for (let e = a; e < b; e++) {
      const rv = t.row[e]! * m;
      for (let f = a; f < b; f++) k[rv + t.row[f]!]! += 1;
    }
  }
  for (let v = 0; v < m; v++) k[v * m + v]! += lambda;
  const kinv = spdInverse(k, m);
  // Z = K⁻¹X (m × n): column j of Z sums the columns of K⁻¹ for j's users (K⁻¹ is symmetric, so rows).
  const z = new Float64Array(m * n);
  // Row by row of K⁻¹ (which stays in L1), gathering over each item's users.
  for (let w = 0; w < m; w++) {
    const rw = w * m;
    const rz = w * n;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let e = t.colPtr[j]!; e < t.colPtr[j + 1]!; e++) s += kinv[rw + t.row[e]!]!;
      z[rz + j] = s;
    }
  }
  // P = (I − XᵀZ) / λ: row i of XᵀZ sums the rows of Z for i's users.
  const p = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let e = t.colPtr[i]!; e < t.colPtr[i + 1]!; e++) {
      const rz = t.row[e]! * n;
      for (let j = 0; j < n; j++) p[ri + j]! -= z[rz + j]!;
    }
    p[ri + i]! += 1;
  }
  const inv = 1 / lambda;
  for (let q = 0; q < p.length; q++) p[q]! *= inv;
  return p;
}

export class EaseModel implements TopKModel {
  readonly name = 'ease';
  readonly params: Record<string, number | string>;
  /** B row-major: B[i·n + j] is item i's weight in predicting item j. */
  b = new Float32Array(0);
  private n = 0;
  private train: Interactions | undefined;
  /** Which Gram was inverted in the last fit. */
  usedSolver: 'items' | 'users' = 'items';

  constructor(
    readonly lambda = 250,
    readonly solver: EaseSolver = 'auto',
  ) {
    this.params = { lambda, solver };
  }

  fit(train: Interactions): void {
    const n = train.itemIds.length;
    const m = train.rowPtr.length - 1;
    this.usedSolver = this.solver === 'auto' ? (m < n ? 'users' : 'items') : this.solver;
    const p =
      this.usedSolver === 'users' ? inverseByUsers(train, this.lambda) : inverseByItems(train, this.lambda);
    const b = new Float32Array(n * n);
    for (let j = 0; j < n; j++) {
      const d = -1 / p[j * n + j]!;
      for (let i = 0; i < n; i++) b[i * n + j] = i === j ? 0 : p[i * n + j]! * d;
    }
    this.b = b;
    this.n = n;
    this.train = train;
  }

  score(u: number, out: Float32Array): void {
    out.fill(0);
    const x = this.train;
    if (!x) return;
    const n = this.n;
    for (let e = x.rowPtr[u]!; e < x.rowPtr[u + 1]!; e++) {
      const ri = x.col[e]! * n;
      for (let j = 0; j < n; j++) out[j]! += this.b[ri + j]!;
    }
  }

  /** Item i's neighbours: the items j it predicts most strongly (largest B[i][j]). */
  neighbours(k: number): Array<Array<[number, number]>> {
    const n = this.n;
    const top = new TopK(Math.min(k, Math.max(0, n - 1)));
    const out: Array<Array<[number, number]>> = [];
    for (let i = 0; i < n; i++) {
      top.reset();
      for (let j = 0; j < n; j++) if (j !== i && this.b[i * n + j]! > 0) top.push(j, this.b[i * n + j]!);
      out.push(top.result());
    }
    return out;
  }
}

export const ease: Tunable<TopKModel> = {
  name: 'ease',
  grid: [50, 100, 250, 500, 1000].map((lambda) => ({ lambda })),
  make: (params) =>
    new EaseModel(Number(params.lambda ?? 250), (params.solver as EaseSolver | undefined) ?? 'auto'),
};
