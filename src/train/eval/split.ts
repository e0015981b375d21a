/**
 * Train/test splits.
 *
 * - `stratifiedSplit`: the Microsoft Recommenders `python_stratified_split`.
 *   Per item (or user), its interactions are shuffled with the seed and the
 *   first `round(ratio × n)` go to training, the rest to test; `round` is
 *   Python's (half to even), so an item with 1 interaction stays in training
 *   and one with 2 keeps both there, as in the reference.
 * - `sessionTimeSplit`: session-rec's time split. Sessions whose last click is
 *   in the final `days` (or the latest `fraction` of sessions) are the test.
 * - `validationSplit` / `sessionValidationSplit`: the same, carved from the
 *   training data, for choosing hyperparameters without touching the test.
 * @module
 */

import { fromTriples } from '../data/id-space.js';
import type { Interactions, Session, SessionData } from '../model-types.js';
import { createRng } from '../rng.js';

export interface StratifiedOptions {
  by: 'item' | 'user';
  /** Share of each group's interactions that goes to training, in (0, 1). */
  ratio: number;
  seed: number;
}

export interface Split<T> {
  train: T;
  test: T;
}

/** Python 3 `round`: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

export function stratifiedSplit(data: Interactions, o: StratifiedOptions): Split<Interactions> {
  if (!(o.ratio > 0 && o.ratio < 1))
    throw new RangeError(`[tessera] [split] ratio must be in (0, 1), got ${o.ratio}`);
  const nUsers = data.userIds.length;
  const nGroups = o.by === 'item' ? data.itemIds.length : nUsers;
  const entryUser = new Int32Array(data.col.length);
  for (let u = 0; u < nUsers; u++) entryUser.fill(u, data.rowPtr[u]!, data.rowPtr[u + 1]!);
  // Entries grouped by item or user (counting sort keeps them in user order inside a group).
  const start = new Int32Array(nGroups + 1);
  const groupOf = o.by === 'item' ? data.col : entryUser;
  for (const g of groupOf) start[g + 1]!++;
  for (let g = 0; g < nGroups; g++) start[g + 1]! += start[g]!;
  const entries = new Int32Array(data.col.length);
  const fill = start.slice(0, nGroups);
  for (let p = 0; p < groupOf.length; p++) entries[fill[groupOf[p]!]!++] = p;
  const rng = createRng(o.seed);
  const inTrain = new Uint8Array(data.col.length);
  for (let g = 0; g < nGroups; g++) {
    const group = entries.subarray(start[g]!, start[g + 1]!);
    for (let i = group.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      const t = group[i]!;
      group[i] = group[j]!;
      group[j] = t;
    }
    const nTrain = roundHalfEven(o.ratio * group.length);
    for (let i = 0; i < nTrain; i++) inTrain[group[i]!] = 1;
  }
  const part = (want: number): Interactions => {
    const rows = { u: [] as number[], i: [] as number[], v: [] as number[], t: [] as number[] };
    for (let p = 0; p < data.col.length; p++) {
      if (inTrain[p] !== want) continue;
      rows.u.push(entryUser[p]!);
      rows.i.push(data.col[p]!);
      rows.v.push(data.val[p]!);
      rows.t.push(data.ts[p]!);
    }
    return fromTriples(data.userIds, data.itemIds, rows).data;
  };
  return { train: part(1), test: part(0) };
}

export interface SessionTimeOptions {
  /** Sessions ending in the last `days` days of the data are the test. */
  days?: number;
  /** Or: the latest `fraction` of sessions (by their last click) are the test. */
  fraction?: number;
}

const lastTime = (s: Session): number => s.ts[s.ts.length - 1] ?? Number.NEGATIVE_INFINITY;

export function sessionTimeSplit(data: SessionData, o: SessionTimeOptions): Split<SessionData> {
  const sorted = data.sessions.slice().sort((a, b) => lastTime(a) - lastTime(b));
  let cut: number;
  if (o.days !== undefined) {
    const threshold =
      lastTime(sorted[sorted.length - 1] ?? { id: '', items: new Int32Array(), ts: new Float64Array() }) -
      o.days * 86_400_000;
    cut = sorted.findIndex((s) => lastTime(s) >= threshold);
    if (cut < 0) cut = sorted.length;
  } else {
    const fraction = o.fraction ?? 0.2;
    if (!(fraction > 0 && fraction < 1))
      throw new RangeError(`[tessera] [split] fraction must be in (0, 1), got ${fraction}`);
    cut = sorted.length - Math.max(1, Math.round(sorted.length * fraction));
  }
  return {
    train: { itemIds: data.itemIds, sessions: sorted.slice(0, cut) },
    test: { itemIds: data.itemIds, sessions: sorted.slice(cut) },
  };
}

/** Validation carved from training data, the same way the test was carved. */
export function validationSplit(
  train: Interactions,
  o: { seed: number; ratio?: number; by?: 'item' | 'user' },
): Split<Interactions> {
  return stratifiedSplit(train, { by: o.by ?? 'item', ratio: o.ratio ?? 0.75, seed: o.seed });
}

/** The latest sessions of the training data as validation (default: the last 10%). */
export function sessionValidationSplit(train: SessionData, o: SessionTimeOptions = {}): Split<SessionData> {
  return sessionTimeSplit(train, o.days === undefined ? { fraction: o.fraction ?? 0.1 } : o);
}
