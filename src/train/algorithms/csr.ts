/**
 * Helpers over the CSR interactions of model-types.ts: the item-major
 * transpose (which users hold item i), interaction weights with time decay,
 * and building CSR from (user, item) pairs.
 * @module
 */
import type { Interactions } from '../model-types.js';

/** Item-major view: item i's entries are [colPtr[i], colPtr[i+1]) in `row` (user) and `pos` (index into the user-major arrays). */
export interface ItemMajor {
  colPtr: Int32Array;
  row: Int32Array;
  pos: Int32Array;
}

export function itemCount(x: Interactions): number {
  return x.itemIds.length;
}

export function userCount(x: Interactions): number {
  return x.rowPtr.length - 1;
}

export function transpose(x: Interactions): ItemMajor {
  const n = itemCount(x);
  const m = userCount(x);
  const nnz = x.col.length;
  const colPtr = new Int32Array(n + 1);
  for (let e = 0; e < nnz; e++) colPtr[x.col[e]! + 1]!++;
  for (let i = 0; i < n; i++) colPtr[i + 1]! += colPtr[i]!;
  const fill = colPtr.slice(0, n);
  const row = new Int32Array(nnz);
  const pos = new Int32Array(nnz);
  for (let u = 0; u < m; u++) {
    for (let e = x.rowPtr[u]!; e < x.rowPtr[u + 1]!; e++) {
      const at = fill[x.col[e]!]!++;
      row[at] = u;
      pos[at] = e;
    }
  }
  return { colPtr, row, pos };
}

/**
 * Per-entry weight: the entry's value times 2^(−age / halfLife), where age is
 * measured from the newest interaction. A half-life of 0 (or missing
 * timestamps) turns decay off: old habits count as much as new ones.
 */
export function decayedWeights(x: Interactions, halfLifeDays: number, useValues = false): Float32Array {
  const nnz = x.col.length;
  const w = new Float32Array(nnz);
  let newest = Number.NEGATIVE_INFINITY;
  if (halfLifeDays > 0) for (let e = 0; e < nnz; e++) if (x.ts[e]! > newest) newest = x.ts[e]!;
  const decay = halfLifeDays > 0 && Number.isFinite(newest);
  const perMs = decay ? Math.LN2 / (halfLifeDays * 86_400_000) : 0;
  for (let e = 0; e < nnz; e++) {
    const base = useValues ? x.val[e]! : 1;
    const t = x.ts[e]!;
    w[e] = decay && Number.isFinite(t) ? base * Math.exp(-(newest - t) * perMs) : base;
  }
  return w;
}

/** CSR interactions from parallel (user, item) arrays; duplicates are kept as given. */
export function fromPairs(
  users: number,
  itemIds: string[],
  pairs: { u: ArrayLike<number>; i: ArrayLike<number>; v?: ArrayLike<number>; t?: ArrayLike<number> },
): Interactions {
  const nnz = pairs.u.length;
  const rowPtr = new Int32Array(users + 1);
  for (let e = 0; e < nnz; e++) rowPtr[pairs.u[e]! + 1]!++;
  for (let u = 0; u < users; u++) rowPtr[u + 1]! += rowPtr[u]!;
  const fill = rowPtr.slice(0, users);
  const col = new Int32Array(nnz);
  const val = new Float32Array(nnz);
  const ts = new Float64Array(nnz);
  for (let e = 0; e < nnz; e++) {
    const at = fill[pairs.u[e]!]!++;
    col[at] = pairs.i[e]!;
    val[at] = pairs.v ? pairs.v[e]! : 1;
    ts[at] = pairs.t ? pairs.t[e]! : Number.NaN;
  }
  const userIds = Array.from({ length: users }, (_, u) => `u${u}`);
  return { userIds, itemIds, rowPtr, col, val, ts };
}
