/**
 * The two evaluation protocols.
 *
 * Top-k: every test user who has training interactions gets a ranking of the
 * items seen in training, minus the items they already had in training; all
 * their test items are relevant. Train and test must share one index space
 * (see `widen`); users without training rows are skipped and counted.
 *
 * Next-item (session-rec's evaluation): clicks on items unknown to training
 * are removed from the test sessions (and counted), sessions left with fewer
 * than two clicks are skipped, and for every prefix of every remaining session
 * the model predicts the next click.
 * @module
 */
import type { Interactions, SessionData, SessionModel, TopKModel } from '../model-types.js';
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
  /** Test clicks on items unknown to training, removed. */
  skippedClicks: number;
  /** Test sessions with fewer than two known clicks. */
  skippedSessions: number;
}

export function evaluateNextItem(
  model: SessionModel,
  train: SessionData,
  test: SessionData,
  k: number,
): NextItemEvaluation {
  const known = new Uint8Array(Math.max(train.itemIds.length, test.itemIds.length));
  let catalog = 0;
  for (const s of train.sessions)
    for (const i of s.items)
      if (!known[i]) {
        known[i] = 1;
        catalog++;
      }
  const acc = new NextItemAccumulator(k);
  const predicted = new Uint8Array(known.length);
  let distinct = 0;
  let skippedClicks = 0;
  let skippedSessions = 0;
  for (const s of test.sessions) {
    const items = s.items.filter((i) => known[i] === 1);
    skippedClicks += s.items.length - items.length;
    if (items.length < 2) {
      skippedSessions++;
      continue;
    }
    for (let j = 1; j < items.length; j++) {
      const ranked = model.predict(items.subarray(0, j), k);
      acc.add(ranked, items[j]!);
      for (let r = 0; r < Math.min(k, ranked.length); r++) {
        const i = ranked[r]!;
        if (!predicted[i]) {
          predicted[i] = 1;
          distinct++;
        }
      }
    }
  }
  return { ...acc.result(), coverage: catalog > 0 ? distinct / catalog : 0, skippedClicks, skippedSessions };
}
