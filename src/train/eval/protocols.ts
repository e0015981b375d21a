/**
 * The two evaluation protocols.
 *
 * Top-k: every test user who has training interactions gets a ranking of the
 * items seen in training, minus the items they already had in training; all
 * their test items are relevant. Train and test must share one index space
 * (see `widen`); users without training rows are skipped and counted.
 *
 * Next-item follows session-rec (rn5l/session-rec): its preprocessing
 * (`preprocessing/preprocess_rsc15.py`, `split_data`) removes test clicks on
 * items unknown to training and then drops test sessions left with fewer than
 * two clicks; its `evaluation/evaluation.py` (`evaluate_sessions`) then asks
 * for a prediction at every click after the first, given the clicks before
 * it — repeats included: [a, a, b] is two predictions, a→a and a→b. Both
 * removals are counted here, so nothing is dropped silently.
 * @module
 */
import type { Interactions, Session, SessionData, SessionModel, TopKModel } from '../model-types.js';
import { type BeyondAccuracy, BeyondAccuracyAccumulator, ItemUsers } from './beyond-accuracy.js';
import { NextItemAccumulator, type NextItemScores, TopKAccumulator, type TopKScores } from './metrics.js';
import { topKIndices } from './rank.js';

export interface TopKEvaluation extends TopKScores, BeyondAccuracy {
  /** Test users left out because they have no training interactions. */
  skippedUsers: number;
}

export interface TopKEvalOptions {
  k: number;
  /** Category per item index, for diversity; co-occurrence similarity otherwise. */
  itemCategory?: ArrayLike<number>;
  /** Shared across models of one run, so it is built once. */
  itemUsers?: ItemUsers;
}

export function evaluateTopK(
  model: TopKModel,
  train: Interactions,
  test: Interactions,
  o: TopKEvalOptions,
): TopKEvaluation {
  const nItems = train.itemIds.length;
  if (test.itemIds.length !== nItems || test.userIds.length !== train.userIds.length)
    throw new Error('[tessera] [eval] train and test must share one id space (read them with one IdSpace)');
  const index = o.itemUsers ?? new ItemUsers(train);
  const accuracy = new TopKAccumulator(o.k);
  const beyond = new BeyondAccuracyAccumulator(index, o.itemCategory);
  const scores = new Float32Array(nItems);
  const relevant = new Int32Array(nItems).fill(-1);
  let skippedUsers = 0;
  for (let u = 0; u < test.userIds.length; u++) {
    const t0 = test.rowPtr[u]!;
    const t1 = test.rowPtr[u + 1]!;
    if (t1 === t0) continue;
    if (train.rowPtr[u + 1]! === train.rowPtr[u]!) {
      skippedUsers++;
      continue;
    }
    model.score(u, scores);
    for (let i = 0; i < nItems; i++) if (index.count(i) === 0) scores[i] = Number.NEGATIVE_INFINITY;
    for (let p = train.rowPtr[u]!; p < train.rowPtr[u + 1]!; p++)
      scores[train.col[p]!] = Number.NEGATIVE_INFINITY;
    for (let p = t0; p < t1; p++) relevant[test.col[p]!] = u;
    const ranked = topKIndices(scores, o.k);
    accuracy.add(ranked, (i) => relevant[i] === u, t1 - t0);
    beyond.add(ranked);
  }
  return { ...accuracy.result(), ...beyond.result(), skippedUsers };
}

export interface NextItemEvaluation extends NextItemScores {
  /** Distinct predicted items / items in training. */
  coverage: number;
  /** Test clicks on items unknown to training, removed before predicting. */
  skippedUnseen: number;
  /** Test sessions with fewer than two known clicks (no prediction to make). */
  skippedSessions: number;
}

export interface NextItemCounts {
  predictions: number;
  skippedUnseen: number;
  skippedSessions: number;
}

/** Items that occur in the training sessions (session-rec: `train_data[item_key].unique()`). */
export function itemsInTraining(train: SessionData, size = train.itemIds.length): Uint8Array {
  const known = new Uint8Array(size);
  for (const s of train.sessions) for (const i of s.items) known[i] = 1;
  return known;
}

/**
 * Every prediction the session-rec protocol asks for: for each session, its
 * clicks on `known` items in order; for each position j ≥ 1, `visit(prefix =
 * clicks[0..j), target = clicks[j])`. `visit` returning false stops early
 * (tuning caps its work); anything else goes on. The counts cover what was visited.
 */
export function forEachNextItem(
  sessions: ReadonlyArray<Session>,
  known: Uint8Array,
  visit: (prefix: Int32Array, target: number) => unknown,
): NextItemCounts {
  const counts = { predictions: 0, skippedUnseen: 0, skippedSessions: 0 };
  for (const s of sessions) {
    const items = s.items.filter((i) => known[i] === 1);
    counts.skippedUnseen += s.items.length - items.length;
    if (items.length < 2) {
      counts.skippedSessions++;
      continue;
    }
    for (let j = 1; j < items.length; j++) {
      counts.predictions++;
      if (visit(items.subarray(0, j), items[j]!) === false) return counts;
    }
  }
  return counts;
}

export function evaluateNextItem(
  model: SessionModel,
  train: SessionData,
  test: SessionData,
  k: number,
): NextItemEvaluation {
  const known = itemsInTraining(train, Math.max(train.itemIds.length, test.itemIds.length));
  const catalog = known.reduce((a, b) => a + b, 0);
  const acc = new NextItemAccumulator(k);
  const predicted = new Uint8Array(known.length);
  let distinct = 0;
  const counts = forEachNextItem(test.sessions, known, (prefix, target) => {
    const ranked = model.predict(prefix, k);
    acc.add(ranked, target);
    for (let r = 0; r < Math.min(k, ranked.length); r++) {
      const i = ranked[r]!;
      if (!predicted[i]) {
        predicted[i] = 1;
        distinct++;
      }
    }
  });
  return {
    ...acc.result(),
    coverage: catalog > 0 ? distinct / catalog : 0,
    skippedUnseen: counts.skippedUnseen,
    skippedSessions: counts.skippedSessions,
  };
}
