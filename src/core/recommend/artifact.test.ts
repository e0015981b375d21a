import { describe, expect, it } from 'vitest';
import { isTesseraError } from '../errors.js';
import {
  HEADER,
  HEADER_BYTES,
  type ModelData,
  type NeighbourLists,
  SECTION,
  SECTION_ENTRY_BYTES,
} from './artifact-format.js';
import { readArtifact } from './artifact-read.js';
import { writeArtifact } from './artifact-write.js';
import { contentVersion } from './content-hash.js';
import { neighbourRow } from './neighbour-block.js';

function model(over: Partial<ModelData> = {}): ModelData {
  return {
    items: [
      {
        id: 'sku-1',
        category: 'shoes',
        brand: 'acme',
        tags: ['trail', 'red'],
        in_stock: true,
        title: 'Trail Runner',
      },
      { id: 'sku-2', category: 'shoes', brand: 'zeta', tags: ['road'], in_stock: false },
      { id: 'ünï-3', category: 'socks', brand: 'acme', tags: [], in_stock: true, title: 'Wool Socks' },
    ],
    k: 2,
    neighbours: [
      [
        [1, 0.9],
        [2, 0.25],
      ],
      [[0, 0.5]],
      [],
    ],
    popular: [2, 0, 1],
    segments: { runners: [0, 1], cozy: [2] },
    embeddings: { dim: 2, data: new Float32Array([1, 2, 3, 4, 5, 6]) },
    createdAt: 1_700_000_000_000,
    trainer: 'test/1',
    ...over,
  };
}

function expectRejected(buf: ArrayBuffer, message: RegExp): void {
  try {
    readArtifact(buf);
  } catch (e) {
    expect(isTesseraError(e)).toBe(true);
    expect((e as Error).message).toMatch(message);
    return;
  }
  throw new Error('expected readArtifact to throw');
}

describe('artifact round trip', () => {
  it('reads back ids, neighbours, popularity, segments, attributes and embeddings', async () => {
    const a = readArtifact(await writeArtifact(model()));
    expect(a.itemCount).toBe(3);
    expect(a.k).toBe(2);
    expect(a.trainer).toBe('test/1');
    expect(a.createdAt).toBe(1_700_000_000_000);
    expect(a.version).toMatch(/^[0-9a-f]{16}$/);
    expect([0, 1, 2].map((i) => a.idOf(i))).toEqual(['sku-1', 'sku-2', 'ünï-3']);
    expect(a.indexOf('ünï-3')).toBe(2);
    expect(a.indexOf('nope')).toBe(-1);
    const rows = [0, 1, 2].map((i) => neighbourRow(a.neighbours, i));
    expect(rows.map((r) => r.map(([id]) => id))).toEqual([[1, 2], [0], []]);
    expect(rows[0]![0]![1]).toBeCloseTo(0.9);
    expect(rows[0]![1]![1]).toBeCloseTo(0.25);
    expect(rows[1]![0]![1]).toBeCloseTo(0.5);
    expect([...a.popular]).toEqual([2, 0, 1]);
    expect([...a.segmentNames].sort()).toEqual(['cozy', 'runners']);
    expect([...(a.segmentList('runners') ?? [])]).toEqual([0, 1]);
    expect([...(a.segmentList('cozy') ?? [])]).toEqual([2]);
    expect(a.segmentList('absent')).toBeUndefined();
    expect([a.categoryOf(0), a.categoryOf(1), a.categoryOf(2)]).toEqual(['shoes', 'shoes', 'socks']);
    expect([a.brandOf(0), a.brandOf(1), a.brandOf(2)]).toEqual(['acme', 'zeta', 'acme']);
    expect(a.brandIndexOf(0)).toBe(a.brandIndexOf(2));
    expect(a.categoryIndex('socks')).toBe(a.categoryIndexOf(2));
    expect(a.brandIndex('nobody')).toBe(-1);
    expect([a.inStock(0), a.inStock(1), a.inStock(2)]).toEqual([true, false, true]);
    expect(a.tagsOf(0)).toEqual(['trail', 'red']);
    expect(a.tagsOf(2)).toEqual([]);
    expect(a.titleOf(0)).toBe('Trail Runner');
    expect(a.titleOf(1)).toBeUndefined();
    expect(a.embeddingDim).toBe(2);
    expect([...(a.embeddingOf(1) ?? [])]).toEqual([3, 4]);
  });

  it('maps sections as typed-array views over the same buffer, not copies', async () => {
    const buf = await writeArtifact(model());
    const a = readArtifact(buf);
    expect(a.popular.buffer).toBe(buf);
    expect(a.byteLength).toBe(buf.byteLength);
  });

  it('reads an artifact without the optional sections', async () => {
    const { segments: _s, embeddings: _e, ...rest } = model();
    const a = readArtifact(
      await writeArtifact({
        ...rest,
        items: rest.items.map(({ title: _t, ...it }) => ({ ...it, tags: [] })),
      }),
    );
    expect(a.segmentNames).toEqual([]);
    expect(a.segmentList('runners')).toBeUndefined();
    expect(a.embeddingDim).toBe(0);
    expect(a.embeddingOf(0)).toBeUndefined();
    expect(a.titleOf(0)).toBeUndefined();
    expect(a.tagsOf(0)).toEqual([]);
  });

  it('reads an empty model', async () => {
    const a = readArtifact(
      await writeArtifact(
        model({
          items: [],
          neighbours: [],
          popular: [],
          segments: {},
          embeddings: { dim: 2, data: new Float32Array(0) },
        }),
      ),
    );
    expect(a.itemCount).toBe(0);
    expect(a.indexOf('sku-1')).toBe(-1);
  });
});

describe('artifact version', () => {
  it('is the same for the same content, whenever it was written', async () => {
    const a = readArtifact(await writeArtifact(model()));
    const b = readArtifact(await writeArtifact(model({ createdAt: 1 })));
    expect(a.version).toBe(b.version);
  });

  it('changes when any content changes', async () => {
    const base = readArtifact(await writeArtifact(model())).version;
    const changedScore = model();
    (changedScore.neighbours as NeighbourLists)[0]![0]![1] = 0.91;
    const versions = [
      readArtifact(await writeArtifact(changedScore)).version,
      readArtifact(await writeArtifact(model({ popular: [0, 2, 1] }))).version,
      readArtifact(await writeArtifact(model({ segments: { runners: [0] } }))).version,
      readArtifact(await writeArtifact(model({ trainer: 'test/2' }))).version,
    ];
    for (const v of versions) expect(v).not.toBe(base);
  });

  it('can be recomputed from the bytes to verify a download', async () => {
    const buf = await writeArtifact(model());
    expect(await contentVersion(buf)).toBe(readArtifact(buf).version);
    new Uint8Array(buf)[buf.byteLength - 1]! ^= 0xff;
    expect(await contentVersion(buf)).not.toBe(readArtifact(buf).version);
  });
});

describe('corrupted artifacts', () => {
  it('rejects a buffer that is not an artifact', () => {
    expectRejected(new TextEncoder().encode('x'.repeat(200)).buffer as ArrayBuffer, /bad magic/);
  });

  it('rejects a buffer shorter than the header', async () => {
    const buf = await writeArtifact(model());
    expectRejected(buf.slice(0, 20), /truncated/);
  });

  it('rejects a truncated buffer', async () => {
    const buf = await writeArtifact(model());
    expectRejected(buf.slice(0, buf.byteLength - 8), /truncated/);
  });

  it('rejects an unknown format version', async () => {
    const buf = await writeArtifact(model());
    new DataView(buf).setUint16(HEADER.formatVersion, 99, true);
    expectRejected(buf, /format version 99/);
  });

  it('rejects a section that points past the end', async () => {
    const buf = await writeArtifact(model());
    new DataView(buf).setUint32(HEADER_BYTES + 4, buf.byteLength, true);
    expectRejected(buf, /out of bounds/);
  });

  it('rejects v1 neighbour ids outside the catalog', async () => {
    const buf = await writeArtifact(model({ encoding: { formatVersion: 1 } }));
    const view = new DataView(buf);
    const sections = view.getUint32(HEADER.sectionCount, true);
    for (let s = 0; s < sections; s++) {
      const e = HEADER_BYTES + SECTION_ENTRY_BYTES * s;
      if (view.getUint32(e, true) === SECTION.neighbourIds) {
        view.setInt32(view.getUint32(e + 4, true), 1000, true);
      }
    }
    expectRejected(buf, /neighbour ids holds index 1000/);
  });

  it('refuses to write neighbours that point at the item itself or outside', async () => {
    await expect(writeArtifact(model({ neighbours: [[[0, 1]], [], []] }))).rejects.toThrow(/neighbour 0/);
    await expect(writeArtifact(model({ popular: [7] }))).rejects.toThrow(/popular/);
  });
});
