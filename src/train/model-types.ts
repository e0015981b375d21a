/**
 * The contracts between dataset readers, algorithms and evaluation in the
 * offline trainer. Users and items are dense indices (0..n-1) with their
 * original ids kept alongside, so algorithms work on typed arrays.
 * @module
 */

/** User-item interactions in compressed sparse rows (one row per user). */
export interface Interactions {
  userIds: string[];
  itemIds: string[];
  /** Row pointers, length users + 1: user u's entries are [rowPtr[u], rowPtr[u+1]). */
  rowPtr: Int32Array;
  /** Item index of each entry. */
  col: Int32Array;
  /** Value of each entry (a rating, or an implicit weight such as 1). */
  val: Float32Array;
  /** Epoch ms of each entry, when the source has it (NaN otherwise). */
  ts: Float64Array;
}

/** One session: item indices in time order, with their times. */
export interface Session {
  id: string;
  items: Int32Array;
  ts: Float64Array;
}

export interface SessionData {
  itemIds: string[];
  sessions: Session[];
}

/** What a reader reports besides its data: nothing is dropped silently. */
export interface ReadReport {
  lines: number;
  /** Lines that were not data (header, blank). */
  skipped: number;
  /** Duplicate (user, item) pairs merged into one entry. */
  merged: number;
}

/** A top-k recommender trained on interactions. */
export interface TopKModel {
  readonly name: string;
  /** The hyperparameters in use, printed by `tessera eval` and `tessera train`. */
  readonly params: Record<string, number | string | boolean>;
  fit(train: Interactions): void | Promise<void>;
  /**
   * Scores of every item for user `u` of the training data, written into `out`
   * (length = number of items). Higher is better; the caller removes seen items.
   */
  score(u: number, out: Float32Array): void;
  /** Item-item neighbours for the edge artifact: per item, the top `k` (item index, score). */
  neighbours?(k: number): Array<Array<[number, number]>>;
  /** Item embeddings (row-major, items × dim), for diversity and later federated learning. */
  itemFactors?(): { dim: number; data: Float32Array };
}

/** A next-item model for the visitor's current session. */
export interface SessionModel {
  readonly name: string;
  readonly params: Record<string, number | string | boolean>;
  fit(train: SessionData): void | Promise<void>;
  /** The `k` best next items after `prefix` (item indices, best first). */
  predict(prefix: ArrayLike<number>, k: number): Int32Array;
}

/** A factory with a hyperparameter grid, for selection on a validation split. */
export interface Tunable<M> {
  name: string;
  grid: Array<Record<string, number | string | boolean>>;
  make(params: Record<string, number | string | boolean>): M;
}
