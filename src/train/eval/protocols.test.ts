import { describe, expect, it } from 'vitest';
import { fromTriples } from '../data/id-space.js';
import type { SessionData, SessionModel, TopKModel } from '../model-types.js';
import { evaluateNextItem, evaluateTopK } from './protocols.js';

const users = ['u0', 'u1', 'u2'];
const items = ['a', 'b', 'c', 'd', 'e'];
const rows = (pairs: Array<[number, number]>) => ({
  u: pairs.map((p) => p[0]),
  i: pairs.map((p) => p[1]),
  v: pairs.map(() => 1),
  t: pairs.map(() => 0),
});

/** Scores items by a fixed preference: a > b > c > d > e. */
const fixed: TopKModel = {
  name: 'fixed',
  params: {},
  fit() {},
  score(_u, out) {
    out.set([5, 4, 3, 2, 1]);
  },
};

describe('evaluateTopK', () => {
  // Item e is never in training, so it is never ranked; u2 has no training rows.
  const train = fromTriples(
    users,
    items,
    rows([
      [0, 0],
      [1, 1],
      [1, 2],
      [1, 3],
    ]),
  ).data;
  const test = fromTriples(
    users,
    items,
    rows([
      [0, 1],
      [1, 0],
      [1, 4],
      [2, 0],
    ]),
  ).data;

  it('removes training items from the ranking and skips users without training', () => {
    const r = evaluateTopK(fixed, train, test, { k: 1 });
    // u0: ranked [b] (a is seen) → hit. u1: ranked [a] → hit, 2 test items.
    expect(r.users).toBe(2);
    expect(r.skippedUsers).toBe(1);
    expect(r.precision).toBe(1);
    expect(r.recall).toBeCloseTo((1 + 0.5) / 2, 12);
    expect(r.map).toBeCloseTo((1 + 0.5) / 2, 12);
  });

  it('never ranks items that training has not seen', () => {
    const r = evaluateTopK(fixed, train, test, { k: 5 });
    // u1 can only be shown a; its test item e is unreachable but still counts as relevant.
    expect(r.recall).toBeCloseTo((1 + 0.5) / 2, 12);
    expect(r.precision).toBeCloseTo((1 / 5 + 1 / 5) / 2, 12);
  });

  it('refuses train and test in different index spaces', () => {
    const other = fromTriples(['x'], items, rows([[0, 0]])).data;
    expect(() => evaluateTopK(fixed, train, other, { k: 1 })).toThrow('share one id space');
  });
});

describe('evaluateNextItem', () => {
  const s = (id: string, xs: number[]) => ({
    id,
    items: Int32Array.from(xs),
    ts: Float64Array.from(xs, (_, j) => j),
  });
  const train: SessionData = { itemIds: items, sessions: [s('t1', [0, 1, 2])] };
  const test: SessionData = {
    itemIds: items,
    sessions: [s('x1', [0, 4, 1, 2]), s('x2', [3, 1]), s('x3', [4, 4])],
  };
  const prefixes: number[][] = [];
  const nextInOrder: SessionModel = {
    name: 'next',
    params: {},
    fit() {},
    predict(prefix, k) {
      prefixes.push(Array.from(prefix));
      const last = prefix[prefix.length - 1]!;
      return Int32Array.from([last + 1, last + 2].slice(0, k));
    },
  };

  it('drops unknown clicks, skips short sessions, and predicts every prefix', () => {
    const r = evaluateNextItem(nextInOrder, train, test, 2);
    // x1 → [0,1,2]: prefixes [0] → 1 (rank 1), [0,1] → 2 (rank 1). x2 → [1]: skipped. x3 → []: skipped.
    expect(prefixes).toEqual([[0], [0, 1]]);
    expect(r).toMatchObject({ hr: 1, mrr: 1, predictions: 2, skippedUnseen: 4, skippedSessions: 2 });
  });

  it('predicts a repeated click like any other: [a, a, b] is a→a and a→b, as session-rec does', () => {
    const seen: Array<[number[], number]> = [];
    const spy: SessionModel = {
      name: 'spy',
      params: {},
      fit() {},
      predict(prefix) {
        seen.push([Array.from(prefix), -1]);
        return new Int32Array(0);
      },
    };
    const r = evaluateNextItem(spy, train, { itemIds: items, sessions: [s('r', [0, 0, 1])] }, 20);
    expect(seen.map(([p]) => p)).toEqual([[0], [0, 0]]);
    expect(r.predictions).toBe(2);
  });

  it('removes a click on an item unknown to training from the session and counts it (not a miss)', () => {
    // [a, e, b]: e was never in training, so session-rec's test is [a, b] — one prediction, a hit.
    const r = evaluateNextItem(nextInOrder, train, { itemIds: items, sessions: [s('u', [0, 4, 1])] }, 1);
    expect(r).toMatchObject({ predictions: 1, hr: 1, mrr: 1, skippedUnseen: 1, skippedSessions: 0 });
  });

  it('scores HR@k and MRR@k per prediction, 0 for a target below the cut-off', () => {
    // Always ranks c, b, a. Targets: b (rank 2), a (rank 3, beyond k = 2), c (rank 1).
    const cba: SessionModel = {
      name: 'cba',
      params: {},
      fit() {},
      predict: (_p, k) => Int32Array.from([2, 1, 0]).slice(0, k),
    };
    const r = evaluateNextItem(cba, train, { itemIds: items, sessions: [s('h', [0, 1, 0, 2])] }, 2);
    expect(r.predictions).toBe(3);
    expect(r.hr).toBeCloseTo(2 / 3, 12);
    expect(r.mrr).toBeCloseTo((1 / 2 + 0 + 1) / 3, 12);
  });
});
