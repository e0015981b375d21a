import { describe, expect, it } from 'vitest';
import type { CatalogItem } from '../core/config.js';
import { readArtifact } from '../core/recommend/artifact-read.js';
import { neighbourRow } from '../core/recommend/neighbour-block.js';
import { recommend } from '../core/recommend/rank.js';
import type { EventType, LoggedEvent } from '../core/types.js';
import { buildModel } from './build-model.js';

const NOW = 1_750_000_000_000;

function catalog(n: number, categories: string[]): CatalogItem[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `sku-${i}`,
    title: `Item ${i}`,
    category: categories[i % categories.length]!,
    brand: `brand-${i % 7}`,
    price: 10 + i,
    tags: [`tag-${i % 13}`, `tag-${i % 5}`],
    in_stock: true,
  }));
}

let seq = 0;
function event(
  visitor: string,
  type: EventType,
  item: string,
  ts: number,
  props?: Record<string, unknown>,
): LoggedEvent {
  return {
    id: `e${seq++}`,
    type,
    item,
    ts,
    visitor,
    node: 'node-1',
    received: ts,
    ...(props ? { props } : {}),
  };
}

const neighbourIds = (a: ReturnType<typeof readArtifact>, id: string) => {
  const i = a.indexOf(id);
  return neighbourRow(a.neighbours, i).map(([j]) => a.idOf(j));
};

describe('buildModel', () => {
  it('gives a shop without history attribute neighbours and catalog-order popularity', async () => {
    const items = catalog(12, ['shoes', 'hats', 'bags']);
    items[1]!.in_stock = false;
    const { artifact, stats } = await buildModel({ catalog: items, events: [], k: 4, now: NOW });
    const a = readArtifact(artifact);
    expect(stats).toMatchObject({ items: 12, interactions: 0, blend: 0, newItems: 12, algorithm: 'blend' });
    expect(a.trainer).toBe('cooc-attr/2');
    expect(a.isNew(0)).toBe(true);
    expect(a.createdAt).toBe(NOW);
    // Three other shoes exist (sku-3, -6, -9); they come before any other category.
    const cats = neighbourIds(a, 'sku-0').map((id) => a.categoryOf(a.indexOf(id)));
    expect(cats.slice(0, 3)).toEqual(['shoes', 'shoes', 'shoes']);
    expect(cats[3]).not.toBe('shoes');
    expect([...a.popular].slice(0, 3).map((i) => a.idOf(i))).toEqual(['sku-0', 'sku-2', 'sku-3']);
    expect(a.titleOf(a.indexOf('sku-5'))).toBe('Item 5');
  });

  it('lets co-occurrence take over as data grows', async () => {
    const items = catalog(30, ['shoes', 'hats', 'bags']);
    // sku-0 is a shoe, sku-1 a hat: different categories, always viewed together.
    const sessions = (n: number) =>
      Array.from({ length: n }, (_, v) => [
        event(`v${v}`, 'view', 'sku-0', NOW - 1000),
        event(`v${v}`, 'view', 'sku-1', NOW),
      ]).flat();

    const few = readArtifact(
      (await buildModel({ catalog: items, events: sessions(2), k: 5, now: NOW })).artifact,
    );
    expect(neighbourIds(few, 'sku-0')[0]).not.toBe('sku-1');

    const many = await buildModel({ catalog: items, events: sessions(600), k: 5, now: NOW });
    const a = readArtifact(many.artifact);
    expect(neighbourIds(a, 'sku-0')[0]).toBe('sku-1');
    expect(neighbourIds(a, 'sku-1')[0]).toBe('sku-0');
    expect(many.stats.interactions).toBe(1200);
    expect(many.stats.blend).toBeGreaterThan(0);
    expect(many.stats.blend).toBeLessThan(1);
  });

  it('ranks popularity by weighted events and builds in-stock segment lists from it', async () => {
    const items = catalog(9, ['shoes', 'hats', 'bags']);
    items[3]!.in_stock = false; // a shoe
    const events = [
      event('v1', 'view', 'sku-6', NOW),
      event('v2', 'view', 'sku-6', NOW),
      event('v3', 'purchase', 'sku-3', NOW),
      event('v4', 'add_to_cart', 'sku-4', NOW),
      event('v5', 'page', 'sku-8', NOW),
    ];
    const { artifact } = await buildModel({
      catalog: items,
      events,
      k: 3,
      now: NOW,
      segments: { walkers: ['shoes'], none: ['unknown'] },
    });
    const a = readArtifact(artifact);
    const names = (l: Int32Array | undefined) => [...(l ?? [])].map((i) => a.idOf(i));
    expect(names(a.popular).slice(0, 3)).toEqual(['sku-4', 'sku-6', 'sku-0']);
    expect(names(a.popular)).not.toContain('sku-3');
    expect(names(a.segmentList('walkers'))).toEqual(['sku-6', 'sku-0']);
    expect(names(a.segmentList('none'))).toEqual([]);
  });

  it('trains and round-trips a 10,000-item catalog with K = 50', async () => {
    const items = catalog(
      10_000,
      Array.from({ length: 40 }, (_, i) => `cat-${i}`),
    );
    const events: LoggedEvent[] = [];
    for (let v = 0; v < 2000; v++) {
      for (let s = 0; s < 5; s++)
        events.push(event(`v${v}`, 'view', `sku-${(v * 37 + s * 11) % 10_000}`, NOW + s));
    }
    const { artifact, stats } = await buildModel({ catalog: items, events, k: 50, now: NOW });
    const a = readArtifact(artifact);
    console.log(
      `10k items, K=50: ${(a.byteLength / 1024 / 1024).toFixed(2)} MiB, blend ${stats.blend.toFixed(3)}`,
    );
    expect(a.itemCount).toBe(10_000);
    expect(a.k).toBe(50);
    expect(a.indexOf('sku-9999')).toBe(9999);
    expect(neighbourIds(a, 'sku-42')).toHaveLength(50);
    const recs = recommend({
      artifact: a,
      profile: {
        v: 1,
        landmark: NOW,
        affinities: {},
        counts: {},
        recent: [{ item: 'sku-42', type: 'view', at: { p: NOW, l: 0, n: 'node-1' } }],
        traits: {},
        exposures: {},
        suppressions: {},
        seen: [],
      },
      count: 10,
      now: NOW,
      halfLifeMs: 86_400_000,
      segments: [],
    });
    expect(recs).toHaveLength(10);
    expect(recs[0]!.reason).toBe('because you viewed Item 42');
  });

  it('exports sequential-rules successors and per-context lists for the edge', async () => {
    const items = catalog(20, ['shoes', 'hats']);
    const events: LoggedEvent[] = [];
    for (let v = 0; v < 30; v++) {
      const ctx = { country: 'DE', device: 'mobile', hour: 8 };
      events.push(event(`v${v}`, 'view', 'sku-2', NOW + v * 10, ctx));
      events.push(event(`v${v}`, 'view', 'sku-5', NOW + v * 10 + 1, ctx));
    }
    const { artifact, stats } = await buildModel({ catalog: items, events, k: 5, now: NOW });
    const a = readArtifact(artifact);
    expect(neighbourRow(a.sessionNext!, a.indexOf('sku-2'))[0]).toEqual([a.indexOf('sku-5'), 1]);
    expect(neighbourRow(a.sessionNext!, a.indexOf('sku-5'))).toEqual([]);
    expect([...(a.contextList('country:de|hour:morning') ?? [])].map((i) => a.idOf(i)).sort()).toEqual([
      'sku-2',
      'sku-5',
    ]);
    expect(a.contextList('device:mobile')).toBeDefined();
    expect(stats.contexts).toBeGreaterThanOrEqual(5);
    expect(stats.newItems).toBe(18);
    const steps: string[] = [];
    await buildModel({ catalog: items, events, k: 5, now: NOW, onStep: (s) => steps.push(s) });
    expect(steps).toEqual(['neighbours', 'session rules', 'popularity', 'write']);
  });

  it('trains neighbours with a named algorithm, attribute neighbours for items it never saw', async () => {
    const items = catalog(40, ['shoes', 'hats', 'bags', 'socks']);
    const events: LoggedEvent[] = [];
    for (let v = 0; v < 200; v++) {
      const base = (v % 4) * 5; // four taste groups over items 0-19
      for (let j = 0; j < 4; j++) events.push(event(`v${v}`, 'view', `sku-${base + ((v + j) % 5)}`, NOW + j));
    }
    const lines: string[] = [];
    const { artifact, stats } = await buildModel({
      catalog: items,
      events,
      k: 4,
      now: NOW,
      algorithm: 'itemknn',
      log: (l) => lines.push(l),
    });
    const a = readArtifact(artifact);
    expect(stats.algorithm).toBe('itemknn');
    expect(a.trainer).toBe('itemknn+attr/1');
    expect(lines.length).toBeGreaterThan(0);
    const group = (id: string) => Math.floor(Number(id.slice(4)) / 5);
    for (const id of neighbourIds(a, 'sku-6')) expect(group(id)).toBe(1);
    expect(a.isNew(a.indexOf('sku-30'))).toBe(true);
    expect(neighbourIds(a, 'sku-30').length).toBe(4);
    await expect(buildModel({ catalog: items, events, algorithm: 'nope' })).rejects.toThrow(
      /unknown algorithm "nope"/,
    );
  });
});
