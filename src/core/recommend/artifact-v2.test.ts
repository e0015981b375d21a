import { describe, expect, it } from 'vitest';
import { isTesseraError } from '../errors.js';
import type { Profile } from '../types.js';
import { HEADER, HEADER_BYTES, type ModelData, SECTION, SECTION_ENTRY_BYTES } from './artifact-format.js';
import { readArtifact } from './artifact-read.js';
import { writeArtifact } from './artifact-write.js';
import { neighbourRow } from './neighbour-block.js';
import { recommend } from './rank.js';
import { generatedModel, seeded } from './test-data.js';

const NOW = 1_750_000_000_000;
const MiB = 1024 * 1024;

function small(over: Partial<ModelData> = {}): ModelData {
  return {
    items: [
      { id: 'a', category: 'shoes', brand: 'acme', tags: [], in_stock: true, title: 'Alpha' },
      { id: 'b', category: 'shoes', brand: 'zeta', tags: [], in_stock: true, isNew: true },
      { id: 'c', category: 'socks', brand: 'acme', tags: ['wool'], in_stock: true },
    ],
    k: 2,
    neighbours: [
      [
        [1, 0.8],
        [2, -0.2],
      ],
      [[0, 0.5]],
      [],
    ],
    sessionNext: { k: 1, neighbours: [[[2, 3]], [], [[0, 1]]] },
    popular: [2, 0, 1],
    segments: { runners: [0, 1] },
    contexts: { 'country:de': [2, 1], 'hour:morning': [0] },
    users: { 'visitor-1': [1, 2] },
    embeddings: { dim: 3, data: new Float32Array([1, 0, 0, 0.5, 0.5, 0, -1, 2, 0.25]) },
    createdAt: NOW,
    trainer: 'test/2',
    ...over,
  };
}

function sectionOffset(buf: ArrayBuffer, id: number): number {
  const view = new DataView(buf);
  for (let s = 0; s < view.getUint32(HEADER.sectionCount, true); s++) {
    const e = HEADER_BYTES + SECTION_ENTRY_BYTES * s;
    if (view.getUint32(e, true) === id) return view.getUint32(e + 4, true);
  }
  throw new Error(`no section ${id}`);
}

describe('artifact v2 round trip', () => {
  it('reads back neighbours, session successors, context, user and segment lists, flags and embeddings', async () => {
    const a = readArtifact(await writeArtifact(small()));
    expect(a.formatVersion).toBe(2);
    const row0 = neighbourRow(a.neighbours, 0);
    expect(row0.map(([i]) => i)).toEqual([1, 2]);
    expect(row0[0]![1]).toBeCloseTo(0.8, 5);
    expect(row0[1]![1]).toBeCloseTo(-0.2, 5); // per-row min keeps negative scores exact at the ends
    expect(neighbourRow(a.neighbours, 2)).toEqual([]);
    expect(a.sessionNext?.k).toBe(1);
    expect(neighbourRow(a.sessionNext!, 0)).toEqual([[2, 3]]);
    expect(neighbourRow(a.sessionNext!, 1)).toEqual([]);
    expect([...a.contextNames].sort()).toEqual(['country:de', 'hour:morning']);
    expect([...(a.contextList('country:de') ?? [])]).toEqual([2, 1]);
    expect(a.contextList('country:fr')).toBeUndefined();
    expect([...(a.userList('visitor-1') ?? [])]).toEqual([1, 2]);
    expect(a.userList('visitor-2')).toBeUndefined();
    expect([...(a.segmentList('runners') ?? [])]).toEqual([0, 1]);
    expect([a.isNew(0), a.isNew(1), a.isNew(2)]).toEqual([false, true, false]);
    expect(a.embeddingDim).toBe(3);
    expect([...(a.embeddingOf(1) ?? [])]).toEqual([0.5, 0.5, 0]);
    expect(a.embeddingCosine(0, 1)).toBeCloseTo(Math.SQRT1_2, 5);
    expect(a.tagsOf(2)).toEqual(['wool']);
  });

  it('stores int8 embeddings whose cosines stay within 0.02 of the exact ones', async () => {
    const exact = readArtifact(await writeArtifact(small()));
    const q = readArtifact(await writeArtifact(small({ encoding: { embeddings: 'int8' } })));
    expect(q.byteLength).toBeLessThan(exact.byteLength);
    expect(q.embeddingDim).toBe(3);
    for (const [i, j] of [
      [0, 1],
      [0, 2],
      [1, 2],
    ] as const) {
      expect(Math.abs(q.embeddingCosine(i, j) - exact.embeddingCosine(i, j))).toBeLessThan(0.02);
    }
    expect(q.embeddingOf(2)![1]).toBeCloseTo(2, 1);
  });

  it('keeps 16-bit and Float32 scores when asked', async () => {
    for (const scoreBits of [16, 32] as const) {
      const a = readArtifact(await writeArtifact(small({ encoding: { scoreBits } })));
      expect(a.neighbours.scoreBits).toBe(scoreBits);
      expect(neighbourRow(a.neighbours, 0)[1]![1]).toBeCloseTo(-0.2, 5);
    }
  });

  it('still reads version 1 artifacts', async () => {
    const { sessionNext: _s, contexts: _c, users: _u, ...v1 } = small();
    const buf = await writeArtifact({ ...v1, encoding: { formatVersion: 1 } });
    expect(new DataView(buf).getUint16(HEADER.formatVersion, true)).toBe(1);
    const a = readArtifact(buf);
    expect(a.formatVersion).toBe(1);
    expect(neighbourRow(a.neighbours, 0)).toEqual([
      [1, Math.fround(0.8)],
      [2, Math.fround(-0.2)],
    ]);
    expect(a.sessionNext).toBeUndefined();
    expect(a.contextNames).toEqual([]);
    expect(a.isNew(1)).toBe(false);
  });

  it('refuses v2-only sections in a version 1 file', async () => {
    await expect(writeArtifact(small({ encoding: { formatVersion: 1 } }))).rejects.toThrow(/version 1/);
  });
});

describe('corrupted v2 artifacts', () => {
  function rejects(buf: ArrayBuffer, message: RegExp): void {
    try {
      readArtifact(buf);
    } catch (e) {
      expect(isTesseraError(e)).toBe(true);
      expect((e as Error).message).toMatch(message);
      return;
    }
    throw new Error('expected readArtifact to throw');
  }

  it('rejects a neighbour block whose size does not match its header', async () => {
    const buf = await writeArtifact(small());
    new DataView(buf).setUint32(sectionOffset(buf, SECTION.neighbourBlock) + 4, 3, true); // k
    rejects(buf, /neighbours block has \d+ bytes/);
  });

  it('rejects a neighbour block for another catalog size', async () => {
    const buf = await writeArtifact(small());
    new DataView(buf).setUint32(sectionOffset(buf, SECTION.sessionNext), 7, true);
    rejects(buf, /session successors block has 7 rows for 3 items/);
  });

  it('rejects an unknown score encoding', async () => {
    const buf = await writeArtifact(small());
    new Uint8Array(buf)[sectionOffset(buf, SECTION.neighbourBlock) + 9] = 12;
    rejects(buf, /unknown encoding/);
  });

  it('rejects context lists that point outside the catalog', async () => {
    const buf = await writeArtifact(small());
    new DataView(buf).setInt32(sectionOffset(buf, SECTION.contextItems), 99, true);
    rejects(buf, /context items holds index 99/);
  });

  it('ends a row at a damaged id instead of reading past the catalog', async () => {
    const buf = await writeArtifact(small());
    const at = sectionOffset(buf, SECTION.neighbourBlock) + 16 + 3; // row 0, second id
    new Uint8Array(buf).set([0x50, 0, 0], at);
    const a = readArtifact(buf);
    expect(neighbourRow(a.neighbours, 0).map(([i]) => i)).toEqual([1]);
  });
});

describe('artifact v2 size', () => {
  it('fits a 100,000-item catalog with 50 neighbours per item in 25 MiB (one Cloudflare KV value)', async () => {
    const buf = await writeArtifact(generatedModel(100_000, 50));
    const a = readArtifact(buf);
    expect(a.itemCount).toBe(100_000);
    expect(neighbourRow(a.neighbours, 99_999)).toHaveLength(50);
    expect(buf.byteLength).toBeLessThanOrEqual(25 * MiB);
  }, 60_000);
});

describe('quantized scores keep the ranking', () => {
  it('gives the same top 10 as exact scores for at least 95% of items on average', async () => {
    const n = 5000;
    const exact = readArtifact(await writeArtifact(generatedModel(n, 50, { encoding: { scoreBits: 32 } })));
    const quant = readArtifact(await writeArtifact(generatedModel(n, 50)));
    expect(quant.byteLength).toBeLessThan(exact.byteLength * 0.65);
    const random = seeded(7);
    let overlap = 0;
    const visitors = 300;
    for (let v = 0; v < visitors; v++) {
      const recent = Array.from({ length: 20 }, (_, r) => ({
        item: `sku-${Math.floor(random() * n)}`,
        type: (r % 4 === 0 ? 'add_to_cart' : 'view') as 'view' | 'add_to_cart',
        at: { p: NOW - r * 60_000, l: 0, n: 'node-1' },
      }));
      const profile: Profile = {
        v: 1,
        landmark: NOW,
        affinities: {},
        counts: {},
        recent,
        traits: {},
        exposures: {},
        suppressions: {},
        seen: [],
      };
      const run = (artifact: typeof exact) =>
        recommend({
          artifact,
          profile,
          count: 10,
          now: NOW,
          halfLifeMs: 86_400_000,
          segments: [],
          diversity: 1,
        });
      const e = new Set(run(exact).map((r) => r.item));
      overlap += run(quant).filter((r) => e.has(r.item)).length / 10;
    }
    console.log(`overlap@10 exact vs 8-bit: ${(overlap / visitors).toFixed(4)}`);
    expect(overlap / visitors).toBeGreaterThanOrEqual(0.95);
  });
});
