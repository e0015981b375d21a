import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { syntheticRatings, syntheticSessions } from '../data/synthetic.js';
import { writeRatingsTsv, writeSessionsTsv } from '../data/write.js';
import type { Interactions, SessionData, SessionModel, TopKModel, Tunable } from '../model-types.js';
import type { Algorithms, NextItemRow, TopKRow } from './compare.js';
import { evaluateNextItem, evaluateTopK } from './protocols.js';
import { runEval } from './run.js';
import { sessionValidationSplit, validationSplit } from './split.js';

// Tiny models, so the harness is tested apart from the real algorithms.
class Popular implements TopKModel, SessionModel {
  readonly name = 'popular';
  readonly params = {};
  private counts = new Float32Array(0);
  fit(train: Interactions | SessionData): void {
    this.counts = new Float32Array(train.itemIds.length);
    if ('sessions' in train) for (const s of train.sessions) for (const i of s.items) this.counts[i]!++;
    else for (const i of train.col) this.counts[i]!++;
  }
  score(_u: number, out: Float32Array): void {
    out.set(this.counts);
  }
  predict(_prefix: ArrayLike<number>, k: number): Int32Array {
    return Int32Array.from(
      Array.from(this.counts.keys())
        .sort((a, b) => this.counts[b]! - this.counts[a]! || a - b)
        .slice(0, k),
    );
  }
}

/** Scores items by how often they follow the last item (top-k: the user's items). */
class Successors implements TopKModel, SessionModel {
  readonly name = 'successors';
  private next = new Map<number, Map<number, number>>();
  private train: Interactions | undefined;
  constructor(readonly params: { smoothing: number }) {}
  fit(train: Interactions | SessionData): void {
    this.next.clear();
    const pairs = (a: number, b: number): void => {
      let m = this.next.get(a);
      if (!m) {
        m = new Map();
        this.next.set(a, m);
      }
      m.set(b, (m.get(b) ?? 0) + 1);
    };
    if ('sessions' in train) {
      for (const s of train.sessions)
        for (let j = 1; j < s.items.length; j++) pairs(s.items[j - 1]!, s.items[j]!);
    } else {
      this.train = train;
      for (let u = 0; u < train.userIds.length; u++)
        for (let p = train.rowPtr[u]!; p < train.rowPtr[u + 1]!; p++)
          for (let q = train.rowPtr[u]!; q < train.rowPtr[u + 1]!; q++)
            if (p !== q) pairs(train.col[p]!, train.col[q]!);
    }
  }
  score(u: number, out: Float32Array): void {
    out.fill(this.params.smoothing);
    const t = this.train!;
    for (let p = t.rowPtr[u]!; p < t.rowPtr[u + 1]!; p++)
      for (const [b, c] of this.next.get(t.col[p]!) ?? []) out[b]! += c;
  }
  predict(prefix: ArrayLike<number>, k: number): Int32Array {
    const m = this.next.get(prefix[prefix.length - 1]!) ?? new Map<number, number>();
    return Int32Array.from(
      [...m.entries()]
        .sort((a, b) => b[1] - a[1] || a[0] - b[0])
        .slice(0, k)
        .map(([i]) => i),
    );
  }
}

type Both = TopKModel & SessionModel;
const popular: Tunable<Both> = { name: 'popular', grid: [{}], make: () => new Popular() };
const successors: Tunable<Both> = {
  name: 'successors',
  grid: [{ smoothing: 0 }, { smoothing: 1 }],
  make: (p) => new Successors({ smoothing: Number(p.smoothing) }),
};

const testAlgorithms: Algorithms = {
  topKModels: { popular, successors },
  sessionModels: { popular, successors },
  tuneTopK(t, train, o) {
    const v = validationSplit(train, { seed: o.seed });
    let best = { params: t.grid[0]!, validation: -1 };
    for (const params of t.grid) {
      const m = t.make(params);
      void m.fit(v.train);
      const score = evaluateTopK(m, v.train, v.test, { k: o.k }).ndcg;
      if (score > best.validation) best = { params, validation: score };
    }
    const model = t.make(best.params);
    void model.fit(train);
    return { model, ...best };
  },
  tuneSession(t, train, o) {
    const v = sessionValidationSplit(train);
    let best = { params: t.grid[0]!, validation: -1 };
    for (const params of t.grid) {
      const m = t.make(params);
      void m.fit(v.train);
      const score = evaluateNextItem(m, v.train, v.test, o.k).mrr;
      if (score > best.validation) best = { params, validation: score };
    }
    const model = t.make(best.params);
    void model.fit(train);
    return { model, ...best };
  },
};
const dir = mkdtempSync(join(tmpdir(), 'tessera-run-'));
const ratings = join(dir, 'ratings.tsv');
const sessions = join(dir, 'sessions.tsv');
const train = join(dir, 'train.tsv');
const test = join(dir, 'test.tsv');

beforeAll(async () => {
  const all = syntheticRatings({ users: 150, items: 200, ratings: 4000, clusters: 5, seed: 4 });
  await writeRatingsTsv(ratings, all.data);
  const s = syntheticSessions({ sessions: 1500, items: 150, topics: 5, seed: 4 });
  await writeSessionsTsv(sessions, s.data);
  await writeSessionsTsv(train, { itemIds: s.data.itemIds, sessions: s.data.sessions.slice(0, 1200) });
  await writeSessionsTsv(test, { itemIds: s.data.itemIds, sessions: s.data.sessions.slice(1200) });
});

describe('runEval', () => {
  it('splits ratings by item, runs every candidate and marks the best on validation', async () => {
    const r = await runEval(testAlgorithms, { data: ratings, seed: 42 });
    expect(r.protocol).toMatchObject({ name: 'top-k', skippedUsers: 0 });
    expect(r.k).toBe(10);
    expect(r.split).toMatchObject({ kind: 'stratified', by: 'item', ratio: 0.75, seed: 42 });
    const rows = r.rows as TopKRow[];
    expect(rows.map((x) => x.model)).toEqual(['popular', 'successors']);
    const best = rows.reduce((a, b) => (b.validation > a.validation ? b : a));
    expect(rows.filter((x) => x.chosen).map((x) => x.model)).toEqual([best.model]);
    // Users rate within their cluster, so co-occurrence beats popularity on the test.
    const [pop, succ] = rows;
    expect(succ!.ndcg).toBeGreaterThan(pop!.ndcg);
    expect(succ!.map).toBeGreaterThan(pop!.map);
    expect(pop!.coverage).toBeLessThan(succ!.coverage);
    expect(r.table).toMatch(/\* successors|\* popular/);
  });

  it('is the same for the same seed', async () => {
    const a = await runEval(testAlgorithms, { data: ratings, seed: 7, only: ['popular'] });
    const b = await runEval(testAlgorithms, { data: ratings, seed: 7, only: ['popular'] });
    expect((a.rows[0] as TopKRow).map).toBe((b.rows[0] as TopKRow).map);
  });

  it('runs next-item on session files, where following successors beats popularity', async () => {
    const r = await runEval(testAlgorithms, { train, test, model: 'popular' });
    expect(r.protocol).toMatchObject({ name: 'next-item', collapseRepeats: false, mergedRepeats: 0 });
    expect(r.k).toBe(20);
    const [pop, succ] = r.rows as NextItemRow[];
    expect(pop!.chosen).toBe(true);
    expect(succ!.hr).toBeGreaterThan(pop!.hr);
    expect(succ!.mrr).toBeGreaterThan(pop!.mrr);
    expect(r.protocol.name === 'next-item' && r.protocol.predictions).toBeGreaterThan(0);
  });

  it('splits one session file by time', async () => {
    const r = await runEval(testAlgorithms, { data: sessions, testFraction: 0.1 });
    expect(r.split).toMatchObject({ kind: 'time', fraction: 0.1, train_sessions: 1350, test_sessions: 150 });
  });

  it('predicts every click after the first, repeats included, unless asked to collapse them', async () => {
    // Test session [a, a, b]: session-rec predicts a→a and a→b; collapsed it is [a, b], one prediction.
    // Test session [a, z, b]: z never occurs in training, so it is removed (counted), leaving a→b.
    const hand = join(dir, 'hand');
    writeFileSync(`${hand}-train.tsv`, 'SessionId\tItemId\tTime\n1\ta\t1\n1\tb\t2\n2\tb\t3\n2\ta\t4\n');
    writeFileSync(
      `${hand}-test.tsv`,
      'SessionId\tItemId\tTime\n9\ta\t10\n9\ta\t11\n9\tb\t12\n8\ta\t13\n8\tz\t14\n8\tb\t15\n',
    );
    const o = { train: `${hand}-train.tsv`, test: `${hand}-test.tsv`, only: ['popular'] };
    const kept = await runEval(testAlgorithms, o);
    expect(kept.protocol).toEqual({
      name: 'next-item',
      collapseRepeats: false,
      mergedRepeats: 0,
      predictions: 3,
      skippedUnseen: 1,
      skippedSessions: 0,
    });
    const folded = await runEval(testAlgorithms, { ...o, collapseRepeats: true });
    expect(folded.protocol).toMatchObject({
      collapseRepeats: true,
      mergedRepeats: 1,
      predictions: 2,
      skippedUnseen: 1,
    });
  });

  it('refuses an unknown model by listing the ones there are', async () => {
    await expect(runEval(testAlgorithms, { data: ratings, model: 'bivae' })).rejects.toThrow(
      'no model "bivae"; available: popular, successors',
    );
  });
});
