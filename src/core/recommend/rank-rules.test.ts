import { describe, expect, it } from 'vitest';
import type { EventType, Profile } from '../types.js';
import type { Artifact, ModelData } from './artifact-format.js';
import { readArtifact } from './artifact-read.js';
import { writeArtifact } from './artifact-write.js';
import type { ListContext } from './context-lists.js';
import { type RecommendInput, recommend } from './rank.js';
import { generatedModel } from './test-data.js';

const NOW = Date.UTC(2025, 5, 15, 12);
const MIN = 60_000;

type Row = [id: string, category: string, isNew?: boolean];
const ROWS: Row[] = [
  ['shoe-1', 'running'], // 0
  ['shoe-2', 'running'], // 1
  ['shoe-3', 'running'], // 2
  ['shoe-4', 'running'], // 3
  ['sock-1', 'socks'], // 4
  ['cap-1', 'hats'], // 5
  ['shoe-new', 'running', true], // 6
  ['bag-1', 'bags'], // 7
  ['bag-2', 'bags'], // 8
  ['bag-3', 'bags'], // 9
];
const idx = (id: string) => ROWS.findIndex((r) => r[0] === id);

async function build(extra: Partial<ModelData> = {}): Promise<Artifact> {
  const near = (ids: string[], top = 0.9) => ids.map((id, r): [number, number] => [idx(id), top - r * 0.05]);
  const neighbours: Array<Array<[number, number]>> = ROWS.map(() => []);
  neighbours[idx('shoe-1')] = near(['shoe-2', 'shoe-3', 'shoe-4', 'sock-1']);
  neighbours[idx('cap-1')] = near(['shoe-new', 'bag-1']);
  return readArtifact(
    await writeArtifact({
      items: ROWS.map(([id, category, isNew]) => ({
        id,
        category,
        brand: id,
        tags: [],
        in_stock: true,
        ...(id === 'shoe-1' ? { title: 'Trail Runner' } : {}),
        ...(isNew ? { isNew } : {}),
      })),
      k: 4,
      neighbours,
      popular: ['bag-1', 'bag-2', 'bag-3', 'cap-1', 'sock-1'].map(idx),
      segments: { runners: ['shoe-3', 'shoe-4'].map(idx) },
      createdAt: NOW,
      trainer: 'test',
      ...extra,
    }),
  );
}

const plain = await build();

function profile(
  recent: Array<[item: string, type: EventType, agoMs?: number]>,
  over: Partial<Profile> = {},
): Profile {
  return {
    v: 1,
    landmark: NOW,
    affinities: {},
    counts: {},
    recent: recent.map(([item, type, ago = 0]) => ({ item, type, at: { p: NOW - ago, l: 0, n: 'node-1' } })),
    traits: {},
    exposures: {},
    suppressions: {},
    seen: [],
    ...over,
  };
}

function rec(p: Profile | undefined, over: Partial<RecommendInput> = {}, a: Artifact = plain) {
  return recommend({
    artifact: a,
    profile: p,
    count: 4,
    now: NOW,
    halfLifeMs: 86_400_000,
    segments: [],
    ...over,
  });
}
const ids = (r: Array<{ item: string }>) => r.map((x) => x.item);

describe('session model', () => {
  const withSession = build({
    sessionNext: { k: 2, neighbours: ROWS.map((_, i) => (i === idx('bag-1') ? [[idx('cap-1'), 1]] : [])) },
  });

  it('scores the successors of the current session, saying which item led there', async () => {
    const r = rec(profile([['bag-1', 'view', 5 * MIN]]), {}, await withSession);
    expect(r[0]).toMatchObject({ item: 'cap-1', reason: 'because you just viewed bag-1' });
  });

  it('ignores items older than the session window', async () => {
    const r = rec(profile([['bag-1', 'view', 45 * MIN]]), {}, await withSession);
    expect(r[0]?.reason).not.toMatch(/just viewed/);
    expect(ids(r)).not.toContain('bag-1');
  });
});

describe('context cold-start lists', () => {
  const withContexts = build({
    contexts: {
      'country:de|hour:morning': [idx('sock-1')],
      'country:de': [idx('cap-1')],
      'device:mobile': [idx('bag-3')],
      'utm_campaign:spring': [idx('shoe-4')],
    },
  });
  const ctx = (over: Partial<ListContext> = {}): ListContext => ({
    device: 'desktop',
    localHour: 9,
    utm: {},
    country: 'DE',
    ...over,
  });

  it('gives a visitor without history the most specific context list, with its reason', async () => {
    const r = rec(undefined, { context: ctx() }, await withContexts);
    expect(r[0]).toEqual({ item: 'sock-1', score: 0, reason: 'popular in DE this morning' });
    expect(r[1]?.reason).toBe('popular now');
  });

  it('falls back to broader keys: the country at another hour, the device, the campaign first', async () => {
    const a = await withContexts;
    expect(rec(undefined, { context: ctx({ localHour: 20 }) }, a)[0]?.reason).toBe('popular in DE');
    expect(rec(undefined, { context: { device: 'mobile', localHour: 9, utm: {} } }, a)[0]).toMatchObject({
      item: 'bag-3',
      reason: 'popular on mobile',
    });
    expect(rec(undefined, { context: ctx({ utm: { campaign: 'Spring' } }) }, a)[0]).toMatchObject({
      item: 'shoe-4',
      reason: 'popular with visitors from spring',
    });
  });
});

describe('diversity', () => {
  it('MMR moves an item of another category up among same-category neighbours', () => {
    const p = profile([['shoe-1', 'view']]);
    expect(ids(rec(p, { diversity: 1 }))).toEqual(['shoe-2', 'shoe-3', 'shoe-4', 'sock-1']);
    expect(ids(rec(p, { diversity: 0.5 }))).toEqual(['shoe-2', 'sock-1', 'shoe-3', 'shoe-4']);
  });

  it('uses embeddings when the artifact has them: a near-duplicate drops below a different item', async () => {
    const data = new Float32Array(ROWS.length * 2);
    for (let i = 0; i < ROWS.length; i++) data.set([1, 0.01 * i], i * 2);
    data.set([0, 1], idx('shoe-3') * 2);
    const a = await build({ embeddings: { dim: 2, data } });
    const p = profile([['shoe-1', 'view']]);
    // Without embeddings shoe-3 and shoe-4 look alike; with them shoe-3 differs from shoe-2, shoe-4 does not.
    expect(ids(rec(p, { diversity: 0.5, count: 3 }))).toEqual(['shoe-2', 'sock-1', 'shoe-3']);
    expect(ids(rec(p, { diversity: 0.5, count: 3 }, a))).toEqual(['shoe-2', 'shoe-3', 'sock-1']);
  });
});

describe('fatigue caps', () => {
  it('drops an item shown five times without a click, keeps one the visitor clicked', () => {
    const exposures = { 'item:shoe-2': { 'node-1': 3, 'node-2': 2 }, 'item:shoe-3': { 'node-1': 6 } };
    const shown = profile([['shoe-1', 'view']], { exposures });
    expect(ids(rec(shown))).not.toContain('shoe-2');
    const clicked = profile(
      [
        ['shoe-1', 'view'],
        ['shoe-3', 'click', MIN],
      ],
      { exposures },
    );
    const r = ids(rec(clicked, { filterSeen: false, diversity: 1 }));
    expect(r).toContain('shoe-3');
    expect(r).not.toContain('shoe-2');
    expect(ids(rec(shown, { fatigueCap: 0 }))).toContain('shoe-2');
  });
});

const big = readArtifact(await writeArtifact(generatedModel(3000, 20)));

describe('exploration', () => {
  const history = profile(
    Array.from({ length: 20 }, (_, r): [string, EventType] => [`sku-${r * 37}`, 'view']),
  );
  const explored = (r: Array<{ reason: string }>) => r.filter((x) => x.reason.endsWith('(exploring)')).length;

  it('gives at most one slot in ten, the same for a visitor all day', () => {
    const a = rec(history, { count: 10, visitorId: 'v1' }, big);
    expect(a).toHaveLength(10);
    expect(explored(a)).toBe(1);
    expect(ids(rec(history, { count: 10, visitorId: 'v1', now: NOW + 3_600_000 }, big))).toEqual(ids(a));
    expect(
      explored(rec(history, { count: 20, visitorId: 'v1', explorationShare: 0.9 }, big)),
    ).toBeLessThanOrEqual(10);
    expect(explored(rec(history, { count: 9, visitorId: 'v1' }, big))).toBe(0);
    expect(explored(rec(history, { count: 10 }, big))).toBe(0);
  });

  it('picks differently across visitors and days', () => {
    const pick = (visitorId: string, now: number) =>
      rec(history, { count: 10, visitorId, now }, big).find((x) => x.reason.endsWith('(exploring)'))?.item;
    const picks = new Set<string | undefined>();
    for (let v = 0; v < 20; v++) picks.add(pick(`v${v}`, NOW));
    for (let d = 1; d < 10; d++) picks.add(pick('v1', NOW + d * 86_400_000));
    expect(picks.size).toBeGreaterThan(5);
    expect(picks.has(undefined)).toBe(false);
  });
});

describe('reasons', () => {
  it('says "new in <category>" for an item with attribute neighbours only', () => {
    const r = rec(profile([['cap-1', 'view']]));
    expect(r[0]).toMatchObject({ item: 'shoe-new', reason: 'new in running' });
    expect(r[1]).toMatchObject({ item: 'bag-1', reason: 'because you viewed cap-1' });
  });

  it('names the segment list and the visitor’s own list', async () => {
    expect(rec(undefined, { segments: ['runners'] })[0]?.reason).toBe('popular with runners');
    const a = await build({ users: { 'v-7': [idx('shoe-2')] } });
    expect(rec(undefined, { visitorId: 'v-7', explorationShare: 0 }, a)[0]).toMatchObject({
      item: 'shoe-2',
      reason: 'picked for you',
    });
  });
});

describe('thumbs up', () => {
  it('makes a liked item a source: its neighbours come first, named as liked', () => {
    const liked = profile([], { affinities: { 'item:shoe-1': { 'node-1': 3 } } });
    const out = rec(liked, { diversity: 1, explorationShare: 0, maxBrandShare: 1 });
    expect(out[0]?.item).toBe('shoe-2');
    expect(out[0]?.reason).toBe('because you liked Trail Runner');
    expect(out.map((r) => r.item)).not.toContain('shoe-1');
  });

  it('ignores weak item affinity that is not a like', () => {
    const weak = profile([], { affinities: { 'item:shoe-1': { 'node-1': 0.5 } } });
    expect(rec(weak, { explorationShare: 0 })[0]?.reason).not.toMatch(/liked/);
  });
});
