/**
 * Inverse of a dense symmetric positive-definite matrix (row-major
 * Float64Array, n × n) through its Cholesky factor: G = L·Lᵀ, M = L⁻¹,
 * G⁻¹ = Mᵀ·M. Each step costs n³/6 multiply-adds. Without a BLAS, speed
 * comes from register blocking: the kernels work on 2 × 2 blocks of rows, so
 * each value loaded from memory feeds two multiply-adds, the loops stay over
 * contiguous rows, and independent accumulators keep the FPU pipeline busy.
 * @module
 */

/** The four dot products of rows (a0, a1) with rows (b0, b1) over columns [from, to): out = [a0·b0, a0·b1, a1·b0, a1·b1]. */
function dot2x2(
  m: Float64Array,
  a0: number,
  a1: number,
  b0: number,
  b1: number,
  from: number,
  to: number,
  out: Float64Array,
): void {
  let s00 = 0;
  let s01 = 0;
  let s10 = 0;
  let s11 = 0;
  for (let k = from; k < to; k++) {
    const x0 = m[a0 + k]!;
    const x1 = m[a1 + k]!;
    const y0 = m[b0 + k]!;
    const y1 = m[b1 + k]!;
    s00 += x0 * y0;
    s01 += x0 * y1;
    s10 += x1 * y0;
    s11 += x1 * y1;
  }
  out[0] = s00;
  out[1] = s01;
  out[2] = s10;
  out[3] = s11;
}

function pivot(s: number, i: number): number {
  if (!(s > 0)) throw new Error(`[tessera] [train] matrix is not positive definite at pivot ${i}`);
  return Math.sqrt(s);
}

/** Cholesky factor in place: on return the lower triangle of `a` holds L; the strict upper triangle is zeroed. */
export function choleskyInPlace(a: Float64Array, n: number): void {
  const d = new Float64Array(4);
  // A trailing odd row is handled by padding the logic: rows come in pairs (i, i1) with i1 = i + 1 when it exists.
  for (let i = 0; i < n; i += 2) {
    const two = i + 1 < n;
    const ri = i * n;
    const ri1 = two ? ri + n : ri;
    for (let j = 0; j < i; j += 2) {
      // j + 1 < i always holds because i and j are both even.
      const rj = j * n;
      const rj1 = rj + n;
      dot2x2(a, ri, ri1, rj, rj1, 0, j, d);
      const lij = (a[ri + j]! - d[0]!) / a[rj + j]!;
      a[ri + j] = lij;
      a[ri + j + 1] = (a[ri + j + 1]! - d[1]! - lij * a[rj1 + j]!) / a[rj1 + j + 1]!;
      if (two) {
        const li1j = (a[ri1 + j]! - d[2]!) / a[rj + j]!;
        a[ri1 + j] = li1j;
        a[ri1 + j + 1] = (a[ri1 + j + 1]! - d[3]! - li1j * a[rj1 + j]!) / a[rj1 + j + 1]!;
      }
    }
    dot2x2(a, ri, ri1, ri, ri1, 0, i, d);
    const lii = pivot(a[ri + i]! - d[0]!, i);
    a[ri + i] = lii;
    if (two) {
      const l10 = (a[ri1 + i]! - d[2]!) / lii;
      a[ri1 + i] = l10;
      a[ri1 + i + 1] = pivot(a[ri1 + i + 1]! - d[3]! - l10 * l10, i + 1);
    }
  }
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) a[i * n + j] = 0;
}

/**
 * Mᵀ where M = L⁻¹, written row-major (so row i holds column i of M, nonzero
 * from column i on). Rows of M come from forward substitution,
 * M[i] = (e_i − Σ_{k<i} L[i][k]·M[k]) / L[i][i], as axpys over rows, two k at a time.
 */
function lowerInverseTransposed(l: Float64Array, n: number): Float64Array {
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let k = 0;
    for (; k + 1 < i; k += 2) {
      const f0 = l[ri + k]!;
      const f1 = l[ri + k + 1]!;
      const rk0 = k * n;
      const rk1 = rk0 + n;
      for (let c = 0; c <= k; c++) m[ri + c]! -= f0 * m[rk0 + c]! + f1 * m[rk1 + c]!;
      m[ri + k + 1]! -= f1 * m[rk1 + k + 1]!;
    }
    for (; k < i; k++) {
      const f = l[ri + k]!;
      const rk = k * n;
      for (let c = 0; c <= k; c++) m[ri + c]! -= f * m[rk + c]!;
    }
    const d = 1 / l[ri + i]!;
    for (let c = 0; c < i; c++) m[ri + c]! *= d;
    m[ri + i] = d;
  }
  // Transpose in place.
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      m[j * n + i] = m[i * n + j]!;
      m[i * n + j] = 0;
    }
  }
  return m;
}

/** The inverse of the SPD matrix `a` (n × n, row-major; `a` is overwritten). Returns a full symmetric matrix. */
export function spdInverse(a: Float64Array, n: number): Float64Array {
  choleskyInPlace(a, n);
  const t = lowerInverseTransposed(a, n);
  // G⁻¹[i][j] = Σ_k T[i][k]·T[j][k]; T is upper, so for j ≤ i the sum starts at i.
  const p = a;
  const d = new Float64Array(4);
  for (let i = 0; i < n; i += 2) {
    const i1 = Math.min(i + 1, n - 1);
    for (let j = 0; j <= i; j += 2) {
      const j1 = Math.min(j + 1, n - 1);
      dot2x2(t, i * n, i1 * n, j * n, j1 * n, i, n, d);
      p[i * n + j] = d[0]!;
      p[j * n + i] = d[0]!;
      p[i * n + j1] = d[1]!;
      p[j1 * n + i] = d[1]!;
      p[i1 * n + j] = d[2]!;
      p[j * n + i1] = d[2]!;
      p[i1 * n + j1] = d[3]!;
      p[j1 * n + i1] = d[3]!;
    }
  }
  return p;
}
