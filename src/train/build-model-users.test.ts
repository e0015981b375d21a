import { describe, expect, it } from 'vitest';
import type { CatalogItem } from '../core/config.js';
import { readArtifact } from '../core/recommend/artifact-read.js';
import { neighbourRow } from '../core/recommend/neighbour-block.js';
import { recommend } from '../core/recommend/rank.js';
import type { LoggedEvent } from '../core/types.js';
import { buildModel } from './build-model.js';

const NOW = 1_750_000_000_000;

const items: CatalogItem[] = Array.from({ length: 40 }, (_, i) => ({
  id: `sku-${i}`,
  title: `Item ${i}`,
  category: ['shoes', 'hats', 'bags', 'socks'][i % 4]!,
  brand: `brand-${i % 7}`,
  price: 10 + i,
  tags: [`tag-${i % 13}`],
  in_stock: true,
}));

/** Four taste groups over items 0-19 (group g holds items 5g..5g+4); each visitor views 3 of their group's 5. */
function events(): LoggedEvent[] {
  const out: LoggedEvent[] = [];
  let seq = 0;
  for (let v = 0; v < 200; v++) {
    const base = (v % 4) * 5;
    for (let j = 0; j < 3; j++) {
      const ts = NOW + v * 10 + j;
      const item = `sku-${base + ((v + j) % 5)}`;
      out.push({ id: `e${seq++}`, type: 'view', item, ts, visitor: `v${v}`, node: 'n', received: ts });
    }
  }
  return out;
}

const group = (id: string) => Math.floor(Number(id.slice(4)) / 5);
const seenBy = (v: number) => [0, 1, 2].map((j) => `sku-${(v % 4) * 5 + ((v + j) % 5)}`);

describe('buildModel with per-visitor lists', () => {
  it('stores each known visitor’s best unseen items, and the edge serves them as “picked for you”', async () => {
    const { artifact, stats } = await buildModel({
      catalog: items,
      events: events(),
      k: 4,
      now: NOW,
      algorithm: 'ease',
      perUser: 5,
    });
    expect(stats.userLists).toBe(200);
    const a = readArtifact(artifact);
    const list = [...(a.userList('v6') ?? [])].map((i) => a.idOf(i));
    expect(list).toHaveLength(5);
    // v6 is in group 2: its two unseen items of their own group come first; nothing they saw is in the list.
    expect(list.slice(0, 2).map(group)).toEqual([2, 2]);
    for (const seen of seenBy(6)) expect(list).not.toContain(seen);

    const shown = recommend({
      artifact: a,
      profile: undefined,
      count: 4,
      now: NOW,
      halfLifeMs: 86_400_000,
      segments: [],
      visitorId: 'v6',
      explorationShare: 0,
    });
    expect(shown.slice(0, 2).map((r) => r.item)).toEqual(list.slice(0, 2));
    expect(shown[0]!.reason).toBe('picked for you');
    // A visitor the model never saw gets the popular list instead.
    const stranger = recommend({
      artifact: a,
      profile: undefined,
      count: 4,
      now: NOW,
      halfLifeMs: 86_400_000,
      segments: [],
      visitorId: 'nobody',
      explorationShare: 0,
    });
    expect(stranger[0]!.reason).not.toBe('picked for you');
  });

  it('caps the visitors at the most recently active, and leaves the section out with perUser 0 or no model', async () => {
    const capped = await buildModel({
      catalog: items,
      events: events(),
      k: 4,
      now: NOW,
      algorithm: 'itemknn',
      perUser: 3,
      perUserVisitors: 10,
    });
    expect(capped.stats.userLists).toBe(10);
    const a = readArtifact(capped.artifact);
    expect(a.userList('v199')).toBeDefined();
    expect(a.userList('v0')).toBeUndefined();

    const off = await buildModel({
      catalog: items,
      events: events(),
      k: 4,
      algorithm: 'itemknn',
      perUser: 0,
    });
    expect(off.stats.userLists).toBe(0);
    expect(readArtifact(off.artifact).userList('v6')).toBeUndefined();
    const plain = await buildModel({ catalog: items, events: events(), k: 4 });
    expect(plain.stats.userLists).toBe(0);
  });

  it('fills the neighbour section from ALS and BPR factors', async () => {
    for (const algorithm of ['als', 'bpr']) {
      const { artifact, stats } = await buildModel({
        catalog: items,
        events: events(),
        k: 4,
        now: NOW,
        algorithm,
      });
      const a = readArtifact(artifact);
      expect(stats.algorithm).toBe(algorithm);
      const row = neighbourRow(a.neighbours, a.indexOf('sku-6')).map(([j]) => a.idOf(j));
      expect(row.length).toBeGreaterThan(0);
      expect(row.filter((id) => group(id) === 1).length, algorithm).toBeGreaterThanOrEqual(2);
    }
  }, 60_000);

  it('trains the validation-weighted blend as “ensemble”, and keeps “blend” for the attribute default', async () => {
    const lines: string[] = [];
    const { stats } = await buildModel({
      catalog: items,
      events: events(),
      k: 4,
      now: NOW,
      algorithm: 'ensemble',
      log: (l) => lines.push(l),
    });
    expect(stats.algorithm).toBe('ensemble');
    expect(stats.userLists).toBe(200);
    expect(lines.some((l) => l.startsWith('blend '))).toBe(true);
    // The chosen weights are the model's parameters: the best single component has weight 1.
    expect(['ease', 'itemknn', 'als', 'bpr'].some((c) => stats.params[c] === 1)).toBe(true);
  }, 120_000);
});
