/**
 * The visitor's side of federated implicit matrix factorization
 * (Ammad-ud-din et al., "Federated Collaborative Filtering for
 * Privacy-Preserving Personalized Recommendation System", 2019).
 *
 * The visitor keeps their interactions and their user vector; the edge sends
 * the global item table Y (items × dim). Each local epoch solves the user
 * vector exactly against the current local Y (the ALS user step: the
 * negatives enter through YᵀY, so no sampling is needed), then takes a
 * gradient step on Y for the objective
 *
 *   Σ_i c_i (p_i − x·y_i)²,  p_i = 1 on seen items (c_i = 1 + α·value), else 0 (c_i = 1).
 *
 * The gradient is dense (seen items plus the rank-one pull of every unseen
 * item towards 0) because secure aggregation masks the whole table anyway: a
 * sparse update would reveal which items the visitor touched. Regularization
 * of Y does not depend on anyone's data, so the server applies it.
 *
 * Only the clipped difference Y_local − Y leaves the device. Web-standard
 * JavaScript only (typed arrays), so the module bundles for the browser.
 * @module
 */

export interface ClientData {
  /** Item indices the visitor interacted with. */
  items: Int32Array;
  /** Implicit weight of each (e.g. the rating, or 1). */
  values: Float32Array;
}

export interface LocalTrainingOptions {
  dim: number;
  /** Confidence slope: c = 1 + alpha·value. */
  alpha: number;
  /** L2 penalty on the user vector. */
  lambda: number;
  /** Local gradient steps on the item table. */
  epochs: number;
  /** Local learning rate. */
  learningRate: number;
  /** L2 bound of the update that leaves the device. */
  clip: number;
}

export interface LocalUpdate {
  /** Y_local − Y, dense (items × dim), L2 norm ≤ clip. */
  delta: Float32Array;
  /** Norm before clipping (stays on the device in the real protocol; for diagnostics). */
  rawNorm: number;
  /** The user vector after training (stays on the device). */
  user: Float64Array;
}

/** YᵀY (dim × dim, row-major). */
export function gramOf(y: ArrayLike<number>, nItems: number, dim: number): Float64Array {
  const g = new Float64Array(dim * dim);
  for (let i = 0; i < nItems; i++) {
    const o = i * dim;
    for (let a = 0; a < dim; a++) {
      const ya = y[o + a]!;
      if (ya === 0) continue;
      for (let b = a; b < dim; b++) g[a * dim + b]! += ya * y[o + b]!;
    }
  }
  for (let a = 0; a < dim; a++) for (let b = 0; b < a; b++) g[a * dim + b] = g[b * dim + a]!;
  return g;
}

/** Solves A·x = b in place for symmetric positive-definite A (Cholesky); A is overwritten. */
export function solveSpd(a: Float64Array, b: Float64Array, n: number): Float64Array {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]!;
    for (let k = 0; k < j; k++) d -= a[j * n + k]! ** 2;
    if (!(d > 0)) throw new RangeError('[tessera] [federated] user system is not positive definite');
    const l = Math.sqrt(d);
    a[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= a[i * n + k]! * a[j * n + k]!;
      a[i * n + j] = s / l;
    }
  }
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    let s = x[i]!;
    for (let k = 0; k < i; k++) s -= a[i * n + k]! * x[k]!;
    x[i] = s / a[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i]!;
    for (let k = i + 1; k < n; k++) s -= a[k * n + i]! * x[k]!;
    x[i] = s / a[i * n + i]!;
  }
  return x;
}

/**
 * The ALS user step: x = (YᵀY + λI + Σ_seen (c_i − 1) y_i y_iᵀ)⁻¹ Σ_seen c_i y_i.
 * `yty` is YᵀY of the same `y`.
 */
export function solveUser(
  y: ArrayLike<number>,
  yty: Float64Array,
  data: ClientData,
  o: Pick<LocalTrainingOptions, 'dim' | 'alpha' | 'lambda'>,
): Float64Array {
  const f = o.dim;
  const a = Float64Array.from(yty);
  const b = new Float64Array(f);
  for (let d = 0; d < f; d++) a[d * f + d]! += o.lambda;
  for (let e = 0; e < data.items.length; e++) {
    const yo = data.items[e]! * f;
    const c = 1 + o.alpha * data.values[e]!;
    for (let p = 0; p < f; p++) {
      const yp = y[yo + p]!;
      b[p]! += c * yp;
      for (let q = 0; q < f; q++) a[p * f + q]! += (c - 1) * yp * y[yo + q]!;
    }
  }
  return solveSpd(a, b, f);
}

/** Scales `v` in place so its L2 norm is at most `bound`; returns the norm before. */
export function clipL2(v: Float32Array, bound: number): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const norm = Math.sqrt(s);
  if (norm > bound) {
    const k = bound / norm;
    for (let i = 0; i < v.length; i++) v[i]! *= k;
  }
  return norm;
}

/**
 * A few local epochs on the visitor's data against the global item table
 * `global` (items × dim, not modified); returns the clipped update.
 */
export function trainLocally(global: Float32Array, data: ClientData, o: LocalTrainingOptions): LocalUpdate {
  const f = o.dim;
  const nItems = global.length / f;
  const y = Float64Array.from(global);
  const grad = new Float64Array(y.length);
  const seen = new Float64Array(nItems); // confidence of seen items, 0 for unseen
  for (let e = 0; e < data.items.length; e++) seen[data.items[e]!] = 1 + o.alpha * data.values[e]!;
  let x: Float64Array = new Float64Array(f);
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    x = solveUser(y, gramOf(y, nItems, f), data, o);
    // ∂/∂y_i of c_i (p_i − x·y_i)² = 2 c_i (x·y_i − p_i) x, with c = 1, p = 0 for unseen items.
    for (let i = 0; i < nItems; i++) {
      const yo = i * f;
      let dot = 0;
      for (let p = 0; p < f; p++) dot += x[p]! * y[yo + p]!;
      const c = seen[i]! > 0 ? seen[i]! : 1;
      const coef = 2 * c * (dot - (seen[i]! > 0 ? 1 : 0));
      for (let p = 0; p < f; p++) grad[yo + p] = coef * x[p]!;
    }
    for (let q = 0; q < y.length; q++) y[q]! -= o.learningRate * grad[q]!;
  }
  const delta = new Float32Array(y.length);
  for (let q = 0; q < y.length; q++) delta[q] = y[q]! - global[q]!;
  const rawNorm = clipL2(delta, o.clip);
  return { delta, rawNorm, user: solveUser(y, gramOf(y, nItems, f), data, o) };
}
