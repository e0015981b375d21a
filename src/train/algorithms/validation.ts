/**
 * Validation splits carved from training data only, and the two measures
 * tuning optimises: nDCG@k for top-k models (binary relevance, seen items
 * removed) and MRR@k for next-item models (the session-rec protocol of
 * `tessera eval`, applied to held-out training sessions), computed with the
 * evaluation module's code so tuning and `tessera eval` measure alike.
 * @module
 */

import { NextItemAccumulator, TopKAccumulator } from '../eval/metrics.js';
import { forEachNextItem, itemsInTraining } from '../eval/protocols.js';
import type { Interactions, Session, SessionData, SessionModel, TopKModel } from '../model-types.js';
import { mulberry32, shuffle } from '../rng.js';
import { TopK } from '../top-k.js';
import { transpose } from './csr.js';

export interface TopKSplit {
  fit: Interactions;
  heldOut: Interactions;
}

/** Per item, a random `ratio` of its interactions is held out (an item with one interaction stays in `fit`). */
export function splitTopKValidation(train: Interactions, ratio: number, seed: number): TopKSplit {
  const rng = mulberry32(seed);
  const t = transpose(train);
  const held = new Uint8Array(train.col.length);
  for (let i = 0; i < train.itemIds.length; i++) {
    const from = t.colPtr[i]!;
    const count = t.colPtr[i + 1]! - from;
    const take = Math.floor(count * ratio);
    if (take === 0 || count < 2) continue;
    const order = shuffle(
      Int32Array.from({ length: count }, (_, x) => x),
      rng,
    );
    for (let x = 0; x < take; x++) held[t.pos[from + order[x]!]!] = 1;
  }
  return { fit: subset(train, held, 0), heldOut: subset(train, held, 1) };
}

function subset(x: Interactions, mark: Uint8Array, keep: number): Interactions {
  const m = x.rowPtr.length - 1;
  const rowPtr = new Int32Array(m + 1);
  for (let u = 0; u < m; u++) {
    let c = 0;
    for (let e = x.rowPtr[u]!; e < x.rowPtr[u + 1]!; e++) if (mark[e] === keep) c++;
    rowPtr[u + 1] = rowPtr[u]! + c;
  }
  const nnz = rowPtr[m]!;
  const col = new Int32Array(nnz);
  const val = new Float32Array(nnz);
  const ts = new Float64Array(nnz);
  let at = 0;
  for (let e = 0; e < x.col.length; e++) {
    if (mark[e] !== keep) continue;
    col[at] = x.col[e]!;
    val[at] = x.val[e]!;
    ts[at++] = x.ts[e]!;
  }
  return { userIds: x.userIds, itemIds: x.itemIds, rowPtr, col, val, ts };
}

/** Mean nDCG@k over (at most `maxUsers`, chosen by seed) users with held-out items. */
export function ndcgAtK(model: TopKModel, split: TopKSplit, k: number, maxUsers = 2000, seed = 1): number {
  const { fit, heldOut } = split;
  const m = fit.rowPtr.length - 1;
  let users = Int32Array.from({ length: m }, (_, u) => u).filter(
    (u) => heldOut.rowPtr[u + 1]! > heldOut.rowPtr[u]!,
  );
  if (users.length > maxUsers) users = shuffle(users, mulberry32(seed)).subarray(0, maxUsers).sort();
  const n = fit.itemIds.length;
  const scores = new Float32Array(n);
  const relevant = new Uint8Array(n);
  const top = new TopK(k);
  const acc = new TopKAccumulator(k);
  const isRelevant = (i: number) => relevant[i] === 1;
  for (const u of users) {
    model.score(u, scores);
    for (let e = fit.rowPtr[u]!; e < fit.rowPtr[u + 1]!; e++) scores[fit.col[e]!] = Number.NEGATIVE_INFINITY;
    top.reset();
    for (let i = 0; i < n; i++) if (scores[i]! > Number.NEGATIVE_INFINITY) top.push(i, scores[i]!);
    const a = heldOut.rowPtr[u]!;
    const b = heldOut.rowPtr[u + 1]!;
    for (let e = a; e < b; e++) relevant[heldOut.col[e]!] = 1;
    acc.add(
      top.result().map(([i]) => i),
      isRelevant,
      b - a,
    );
    for (let e = a; e < b; e++) relevant[heldOut.col[e]!] = 0;
  }
  return users.length > 0 ? acc.result().ndcg : 0;
}

export interface SessionSplit {
  fit: SessionData;
  heldOut: Session[];
}

/** The most recent `ratio` of sessions (by last click; at least one) are held out. */
export function splitSessionValidation(data: SessionData, ratio: number): SessionSplit {
  const last = (s: Session) => (s.ts.length > 0 ? s.ts[s.ts.length - 1]! : Number.NaN);
  const order = data.sessions
    .map((s, i) => ({ s, i }))
    .sort((a, b) => last(a.s) - last(b.s) || a.i - b.i)
    .map((x) => x.s);
  const cut = Math.max(1, Math.round(order.length * ratio));
  return { fit: { itemIds: data.itemIds, sessions: order.slice(0, -cut) }, heldOut: order.slice(-cut) };
}

export interface NextItemScore {
  mrr: number;
  hr: number;
  events: number;
}

/**
 * MRR@k and HR@k over the held-out sessions under the protocol `tessera eval`
 * uses (`forEachNextItem`: clicks on items unknown to the fit part removed,
 * every later click predicted, repeats included), at most `maxEvents`.
 */
export function nextItemAtK(
  model: SessionModel,
  known: Uint8Array,
  sessions: Session[],
  k: number,
  maxEvents = 20_000,
): NextItemScore {
  const acc = new NextItemAccumulator(k);
  let events = 0;
  forEachNextItem(sessions, known, (prefix, target) => {
    acc.add(model.predict(prefix, k), target);
    return ++events < maxEvents;
  });
  const r = acc.result();
  return events > 0 ? { mrr: r.mrr, hr: r.hr, events } : { mrr: 0, hr: 0, events: 0 };
}

/** Items that occur in the given sessions. */
export function knownItems(data: SessionData): Uint8Array {
  return itemsInTraining(data);
}
