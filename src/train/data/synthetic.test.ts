import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRatings } from './ratings.js';
import { readSessions } from './sessions.js';
import { syntheticRatings, syntheticSessions } from './synthetic.js';
import { writeRatingsTsv, writeSessionsTsv } from './write.js';

describe('syntheticRatings', () => {
  it('has the MovieLens-100k shape by default, with at least 20 ratings per user', () => {
    const { data } = syntheticRatings();
    expect(data.userIds).toHaveLength(943);
    expect(data.itemIds).toHaveLength(1682);
    expect(data.col.length).toBeGreaterThan(90_000);
    for (let u = 0; u < 943; u++) expect(data.rowPtr[u + 1]! - data.rowPtr[u]!).toBeGreaterThanOrEqual(20);
  });

  it('puts most of a user’s ratings in their own cluster, and is fixed by the seed', () => {
    const a = syntheticRatings({ users: 100, items: 200, ratings: 3000, clusters: 4, seed: 5 });
    let own = 0;
    for (let u = 0; u < 100; u++)
      for (let p = a.data.rowPtr[u]!; p < a.data.rowPtr[u + 1]!; p++)
        if (a.itemCategory[a.data.col[p]!] === a.userCluster[u]) own++;
    expect(own / a.data.col.length).toBeGreaterThan(0.7);
    const b = syntheticRatings({ users: 100, items: 200, ratings: 3000, clusters: 4, seed: 5 });
    expect(Array.from(b.data.col)).toEqual(Array.from(a.data.col));
  });
});

describe('syntheticSessions', () => {
  it('makes the successors of an item its most frequent next clicks', () => {
    const { data } = syntheticSessions({ sessions: 3000, items: 50, seed: 3 });
    const next = new Map<string, number>();
    let total = 0;
    for (const s of data.sessions)
      for (let j = 1; j < s.items.length; j++) {
        const key = `${s.items[j - 1]}>${s.items[j]}`;
        next.set(key, (next.get(key) ?? 0) + 1);
        total++;
      }
    // With 50 items there are 2,500 possible pairs; the top 150 (3 per item) carry most transitions.
    const top = [...next.values()].sort((a, b) => b - a).slice(0, 150);
    expect(top.reduce((a, b) => a + b, 0) / total).toBeGreaterThan(0.5);
  });
});

describe('writers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-write-'));

  it('write files the readers read back unchanged', async () => {
    const r = syntheticRatings({ users: 30, items: 40, ratings: 700, seed: 2 }).data;
    await writeRatingsTsv(join(dir, 'r.tsv'), r);
    const back = (await readRatings(join(dir, 'r.tsv'))).data;
    const triples = (d: typeof r): string[] => {
      const out: string[] = [];
      for (let u = 0; u < d.userIds.length; u++)
        for (let p = d.rowPtr[u]!; p < d.rowPtr[u + 1]!; p++)
          out.push(`${d.userIds[u]} ${d.itemIds[d.col[p]!]} ${d.val[p]} ${Math.floor(d.ts[p]! / 1000)}`);
      return out.sort();
    };
    expect(triples(back)).toEqual(triples(r));
    const s = syntheticSessions({ sessions: 50, items: 30, seed: 2 }).data;
    await writeSessionsTsv(join(dir, 's.tsv'), s);
    const sb = (await readSessions(join(dir, 's.tsv'), { collapseRepeats: false })).data;
    expect(sb.sessions.map((x) => x.items.length)).toEqual(s.sessions.map((x) => x.items.length));
  });
});
