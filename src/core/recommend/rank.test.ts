import { describe, expect, it } from 'vitest';
import type { EventType, Profile } from '../types.js';
import type { Artifact, ModelData } from './artifact-format.js';
import { readArtifact } from './artifact-read.js';
import { writeArtifact } from './artifact-write.js';
import { type RecommendInput, recommend } from './rank.js';

const NOW = 1_750_000_000_000;
const HOUR = 3_600_000;

type Row = [id: string, category: string, brand: string, inStock?: boolean];
const ROWS: Row[] = [
  ['run-1', 'shoes', 'acme'], // 0
  ['run-2', 'shoes', 'zeta'], // 1
  ['run-3', 'shoes', 'acme'], // 2
  ['sock-1', 'socks', 'wool'], // 3
  ['sock-2', 'socks', 'wool'], // 4
  ['gone-1', 'shoes', 'zeta', false], // 5
  ['hat-1', 'hats', 'brim'], // 6
  ['hat-2', 'hats', 'cap'], // 7
  ['bag-1', 'bags', 'tote'], // 8
  ['bag-2', 'bags', 'sack'], // 9
];

/** Neighbours by id, best first; scores descend from 0.9. */
const NEIGHBOURS: Record<string, string[]> = {
  'run-1': ['run-2', 'gone-1', 'sock-1', 'run-3'],
  'run-2': ['run-1', 'run-3'],
  'sock-1': ['sock-2', 'run-1'],
  'hat-1': ['hat-2', 'bag-1'],
};

async function artifactOf(rows: Row[], neighbours: Record<string, string[]>, extra: Partial<ModelData> = {}) {
  const idx = (id: string) => rows.findIndex((r) => r[0] === id);
  return readArtifact(
    await writeArtifact({
      items: rows.map(([id, category, brand, inStock = true]) => ({
        id,
        category,
        brand,
        tags: [],
        in_stock: inStock,
        ...(id === 'run-1' ? { title: 'Trail Runner' } : {}),
      })),
      k: 4,
      neighbours: rows.map(([id]) =>
        (neighbours[id] ?? []).map((n, r): [number, number] => [idx(n), 0.9 - r * 0.1]),
      ),
      popular: ['bag-2', 'bag-1', 'hat-2', 'gone-1', 'hat-1', 'sock-2'].map(idx),
      segments: { hatters: [idx('hat-1'), idx('hat-2')], empty: [] },
      createdAt: NOW,
      trainer: 'test',
      ...extra,
    }),
  );
}

const artifact = await artifactOf(ROWS, NEIGHBOURS);

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

function rec(p: Profile | undefined, over: Partial<RecommendInput> = {}, a: Artifact = artifact) {
  return recommend({
    artifact: a,
    profile: p,
    count: 4,
    now: NOW,
    halfLifeMs: 24 * HOUR,
    segments: [],
    ...over,
  });
}

const ids = (r: ReturnType<typeof rec>) => r.map((x) => x.item);

describe('recommend: candidates from recent items', () => {
  it('puts neighbours of recent items first, with a reason naming the item', () => {
    const r = rec(profile([['run-1', 'view']]));
    expect(ids(r).slice(0, 3)).toEqual(['run-2', 'sock-1', 'run-3']);
    expect(r[0]!.reason).toBe('because you viewed Trail Runner');
    expect(r[0]!.score).toBeGreaterThan(r[1]!.score);
  });

  it('names the item by id when it has no title, and by the strongest action', () => {
    const r = rec(profile([['sock-1', 'add_to_cart']]));
    expect(r[0]).toMatchObject({ item: 'sock-2', reason: 'because you added sock-1 to your cart' });
  });

  it('weights a cart add above an older view', () => {
    const r = rec(
      profile([
        ['hat-1', 'add_to_cart', HOUR],
        ['sock-1', 'view', 2 * HOUR],
      ]),
    );
    expect(ids(r)[0]).toBe('hat-2');
  });

  it('weights recent items above old ones of the same type', () => {
    const newer = rec(
      profile([
        ['hat-1', 'view', 0],
        ['sock-1', 'view', 72 * HOUR],
      ]),
    );
    expect(ids(newer)[0]).toBe('hat-2');
    const older = rec(
      profile([
        ['sock-1', 'view', 0],
        ['hat-1', 'view', 72 * HOUR],
      ]),
    );
    expect(ids(older)[0]).toBe('sock-2');
  });

  it('sums evidence from several recent items', () => {
    // run-3 is a weak neighbour of run-1 and of run-2; together they beat sock-1 (run-1 only).
    const r = rec(
      profile([
        ['run-1', 'view'],
        ['run-2', 'view'],
      ]),
    );
    expect(ids(r).indexOf('run-3')).toBeLessThan(ids(r).indexOf('sock-1'));
  });

  it('ignores recent items the model does not know', () => {
    const r = rec(profile([['not-in-model', 'purchase']]));
    expect(r.every((x) => x.reason === 'popular now')).toBe(true);
  });
});

describe('recommend: filters', () => {
  it('drops purchased items even with the seen filter off', () => {
    const r = rec(
      profile([
        ['run-1', 'view'],
        ['run-2', 'purchase'],
      ]),
      { filterSeen: false, maxBrandShare: 1 },
    );
    expect(ids(r)).not.toContain('run-2');
    expect(ids(r)).toContain('run-1'); // seen but allowed: neighbour of run-2
  });

  it('drops items the visitor already viewed by default', () => {
    const r = rec(
      profile([
        ['run-1', 'view'],
        ['run-2', 'view'],
      ]),
    );
    expect(ids(r)).not.toContain('run-1');
    expect(ids(r)).not.toContain('run-2');
  });

  it('drops suppressed items and items of suppressed categories while the suppression lasts', () => {
    const p = profile([['run-1', 'view']], {
      suppressions: { 'item:run-2': NOW + HOUR, 'category:socks': NOW + HOUR, 'item:run-3': NOW - 1 },
    });
    const r = rec(p, { count: 10 });
    expect(ids(r)).not.toContain('run-2');
    expect(ids(r)).not.toContain('sock-1');
    expect(ids(r)).not.toContain('sock-2');
    expect(ids(r)[0]).toBe('run-3'); // its suppression expired
  });

  it('drops out-of-stock items from neighbours and from lists', () => {
    const r = rec(profile([['run-1', 'view']]), { count: 10 });
    expect(ids(r)).not.toContain('gone-1');
  });

  it('drops excluded items', () => {
    const r = rec(profile([['run-1', 'view']]), { exclude: new Set(['run-2', 'bag-2']) });
    expect(ids(r)).not.toContain('run-2');
    expect(ids(r)).not.toContain('bag-2');
  });

  it('never lists an item twice', () => {
    const r = rec(profile([['run-1', 'view']]), { count: 10, segments: ['hatters'] });
    expect(new Set(ids(r)).size).toBe(r.length);
  });
});

describe('recommend: fallbacks', () => {
  it('fills the count from the segment list, then the popular list', () => {
    const r = rec(profile([['sock-1', 'view']]), { count: 6, segments: ['hatters'] });
    expect(r.map((x) => [x.item, x.reason])).toEqual([
      ['sock-2', 'because you viewed sock-1'],
      ['run-1', 'because you viewed sock-1'],
      ['hat-1', 'popular with hatters'],
      ['hat-2', 'popular with hatters'],
      ['bag-2', 'popular now'],
      ['bag-1', 'popular now'],
    ]);
    expect(r[2]!.score).toBe(0);
  });

  it('gives a cold visitor the first segment that has a list, then popular items', () => {
    const r = rec(undefined, { segments: ['unknown', 'empty', 'hatters'] });
    expect(r.map((x) => [x.item, x.reason])).toEqual([
      ['hat-1', 'popular with hatters'],
      ['hat-2', 'popular with hatters'],
      ['bag-2', 'popular now'],
      ['bag-1', 'popular now'],
    ]);
  });

  it('treats an erased profile as a cold visitor', () => {
    const r = rec(profile([['run-1', 'view']], { erasedAt: NOW - 1 }));
    expect(r.every((x) => x.reason === 'popular now')).toBe(true);
  });

  it('returns fewer items when every source is used up, and none for count 0', () => {
    expect(rec(undefined, { count: 50 }).length).toBe(5); // popular list minus the out-of-stock item
    expect(rec(profile([['run-1', 'view']]), { count: 0 })).toEqual([]);
  });
});

describe('recommend: brand diversity', () => {
  const rows: Row[] = [
    ['src', 'x', 'other'],
    ...Array.from({ length: 6 }, (_, i): Row => [`acme-${i}`, 'x', 'acme']),
    ['zeta-0', 'x', 'zeta'],
    ['nobrand-0', 'x', ''],
    ['nobrand-1', 'x', ''],
    ['nobrand-2', 'x', ''],
  ];

  it('caps one brand at 40% of the list while other items are left', async () => {
    const a = await artifactOf(
      rows,
      { src: ['acme-0', 'acme-1', 'acme-2', 'acme-3'] },
      { k: 4, popular: [7, 8, 9, 10], segments: {} },
    );
    const r = rec(profile([['src', 'view']]), { count: 5 }, a);
    expect(ids(r)).toEqual(['acme-0', 'acme-1', 'zeta-0', 'nobrand-0', 'nobrand-1']);
  });

  it('fills with capped items when nothing else is left, and can be turned off', async () => {
    const a = await artifactOf(
      rows,
      { src: ['acme-0', 'acme-1', 'acme-2', 'acme-3'] },
      { k: 4, popular: [], segments: {} },
    );
    expect(ids(rec(profile([['src', 'view']]), { count: 4 }, a))).toEqual([
      'acme-0',
      'acme-1',
      'acme-2',
      'acme-3',
    ]);
    const b = await artifactOf(
      rows,
      { src: ['acme-0', 'acme-1', 'acme-2', 'acme-3'] },
      { k: 4, popular: [7], segments: {} },
    );
    expect(ids(rec(profile([['src', 'view']]), { count: 4, maxBrandShare: 1 }, b))).toEqual([
      'acme-0',
      'acme-1',
      'acme-2',
      'acme-3',
    ]);
  });
});

describe('recommend: deep candidate lists', () => {
  it('looks past the first candidates when the brand cap rejects them all', async () => {
    const rows: Row[] = [
      ['src', 'x', 'other'],
      ...Array.from({ length: 9 }, (_, i): Row => [`acme-${i}`, 'x', 'acme']),
      ['zeta-0', 'x', 'zeta'],
    ];
    const order = [...Array.from({ length: 9 }, (_, i) => `acme-${i}`), 'zeta-0'];
    const a = await artifactOf(rows, { src: order }, { k: 10, popular: [], segments: {} });
    // count 2: one item per brand; the top 2·count+4 = 8 candidates are all acme.
    const r = rec(profile([['src', 'view']]), { count: 2 }, a);
    expect(ids(r)).toEqual(['acme-0', 'zeta-0']);
  });
});

describe('recommend: repeated calls', () => {
  it('gives the same answer every time and carries no state between visitors', () => {
    const a = profile([['run-1', 'view']], { suppressions: { 'item:run-2': NOW + HOUR } });
    const first = rec(a);
    rec(profile([['hat-1', 'purchase']]));
    expect(rec(a)).toEqual(first);
    expect(ids(rec(profile([['run-2', 'view']])))).toContain('run-1');
  });
});
