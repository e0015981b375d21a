/**
 * `tessera train --algorithm NAME`: item neighbours (and item embeddings, when
 * the model has factors) from one of the trainer's top-k models (EASE,
 * item-kNN, ALS, …; algorithms/index.ts), tuned on a validation split of the
 * log itself. The event log becomes implicit interactions: one entry per
 * (visitor, item), valued by the popularity weights of what the visitor did.
 * The same model gives each known visitor a precomputed list (their best
 * unseen items), which the edge serves as "picked for you".
 * @module
 */
import type { LoggedEvent } from '../core/types.js';
import type { Interactions, TopKModel } from './model-types.js';
import { POPULARITY_WEIGHTS } from './popularity.js';
import { TopK } from './top-k.js';

/** `tessera train --algorithm ensemble`: the validation-chosen blend (`blend` in `tessera eval`; `blend` here is the attribute/co-occurrence default). */
export const ENSEMBLE_ALIAS = 'ensemble';

export interface AlgorithmResult {
  neighbours: Array<Array<[number, number]>>;
  /** Interactions per item: 0 marks an item the model knows nothing about. */
  observations: Uint32Array;
  embeddings: { dim: number; data: Float32Array } | undefined;
  params: Record<string, number | string | boolean>;
  /** Visitor id → item indices, best first (seen items left out); empty without `perUser`. */
  userLists: Record<string, number[]>;
}

export interface PerUserOptions {
  /** Items per visitor. */
  n: number;
  /** At most this many visitors, the most recently active first. */
  maxUsers: number;
}

/** Each visitor's best `n` unseen items by the model, for the most recently active `maxUsers` visitors. */
export function userLists(model: TopKModel, x: Interactions, o: PerUserOptions): Record<string, number[]> {
  const m = x.rowPtr.length - 1;
  const n = x.itemIds.length;
  const out: Record<string, number[]> = {};
  if (o.n <= 0 || o.maxUsers <= 0 || n === 0) return out;
  const last = new Float64Array(m);
  for (let u = 0; u < m; u++) {
    let t = Number.NEGATIVE_INFINITY;
    for (let e = x.rowPtr[u]!; e < x.rowPtr[u + 1]!; e++) if (x.ts[e]! > t) t = x.ts[e]!;
    last[u] = t;
  }
  const users = Array.from({ length: m }, (_, u) => u)
    .sort((a, b) => last[b]! - last[a]! || a - b)
    .slice(0, o.maxUsers)
    .sort((a, b) => a - b);
  const scores = new Float32Array(n);
  const top = new TopK(Math.min(o.n, n));
  for (const u of users) {
    model.score(u, scores);
    for (let e = x.rowPtr[u]!; e < x.rowPtr[u + 1]!; e++) scores[x.col[e]!] = Number.NEGATIVE_INFINITY;
    top.reset();
    for (let i = 0; i < n; i++) if (Number.isFinite(scores[i]!)) top.push(i, scores[i]!);
    const list = top.result().map(([i]) => i);
    if (list.length > 0) out[x.userIds[u]!] = list;
  }
  return out;
}

export function interactionsFromEvents(
  events: ReadonlyArray<LoggedEvent & { item: string }>,
  itemIds: readonly string[],
  index: Map<string, number>,
): Interactions {
  const byUser = new Map<string, Map<number, { val: number; ts: number }>>();
  for (const e of events) {
    const i = index.get(e.item);
    const w = POPULARITY_WEIGHTS[e.type];
    if (i === undefined || w === undefined) continue;
    let row = byUser.get(e.visitor);
    if (!row) {
      row = new Map();
      byUser.set(e.visitor, row);
    }
    const cell = row.get(i);
    if (cell) {
      cell.val += w;
      cell.ts = Math.max(cell.ts, e.ts);
    } else row.set(i, { val: w, ts: e.ts });
  }
  const userIds = [...byUser.keys()];
  let nnz = 0;
  for (const row of byUser.values()) nnz += row.size;
  const rowPtr = new Int32Array(userIds.length + 1);
  const col = new Int32Array(nnz);
  const val = new Float32Array(nnz);
  const ts = new Float64Array(nnz);
  let at = 0;
  userIds.forEach((u, r) => {
    const row = [...byUser.get(u)!.entries()].sort((a, b) => a[0] - b[0]);
    for (const [i, cell] of row) {
      col[at] = i;
      val[at] = cell.val;
      ts[at] = cell.ts;
      at++;
    }
    rowPtr[r + 1] = at;
  });
  return { userIds, itemIds: [...itemIds], rowPtr, col, val, ts };
}

export async function algorithmNeighbours(
  name: string,
  interactions: Interactions,
  k: number,
  log: (line: string) => void,
  perUser?: PerUserOptions,
): Promise<AlgorithmResult> {
  // Loaded only when asked for: the default trainer does not pay for EASE or ALS.
  const { topKModels, tuneTopK } = await import('./algorithms/index.js');
  const tunable = topKModels[name === ENSEMBLE_ALIAS ? 'blend' : name];
  if (!tunable || name === 'blend') {
    const trained = Object.keys(topKModels).map((t) => (t === 'blend' ? ENSEMBLE_ALIAS : t));
    throw new Error(`[tessera] [train] unknown algorithm "${name}": use blend, ${trained.join(', ')}`);
  }
  const tuned = tuneTopK(tunable, interactions, { k: 10, seed: 42, log });
  if (!tuned.model.neighbours)
    throw new Error(`[tessera] [train] ${name} has no item neighbours for the edge`);
  const neighbours = tuned.model.neighbours(k).map((row) => {
    // Scale rows so the best is 1: the edge sums rows of several items, which should weigh alike.
    const top = row.reduce((m, [, s]) => Math.max(m, Math.abs(s)), 0);
    return row
      .filter(([, s]) => Number.isFinite(s))
      .map(([j, s]): [number, number] => [j, top > 0 ? s / top : 0]);
  });
  const observations = new Uint32Array(interactions.itemIds.length);
  for (const i of interactions.col) observations[i]!++;
  return {
    neighbours,
    observations,
    embeddings: tuned.model.itemFactors?.(),
    // The model's own parameters: the blend's weights are chosen inside its fit, not on the tuner's grid.
    params: { ...tuned.params, ...tuned.model.params },
    userLists: perUser ? userLists(tuned.model, interactions, perUser) : {},
  };
}
