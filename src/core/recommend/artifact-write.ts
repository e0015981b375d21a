/**
 * Serialises trained model data into the artifact format (see
 * `artifact-format.ts`). Runs in the trainer, not on the hot path, so it
 * favours clear validation over speed. Async because the version is a
 * SHA-256 content hash from `crypto.subtle`.
 * @module
 */
import { TesseraError } from '../errors.js';
import {
  alignUp,
  FLAG,
  FORMAT_VERSION,
  HEADER,
  HEADER_BYTES,
  HOST_IS_LITTLE_ENDIAN,
  MAGIC,
  MAX_ATTRIBUTE_VALUES,
  type ModelData,
  SECTION,
  SECTION_ENTRY_BYTES,
  type SectionId,
  VERSION_CHARS,
} from './artifact-format.js';
import { hashBytes } from './content-hash.js';
import { encodeStringTable } from './string-table.js';

interface Section {
  id: SectionId;
  bytes: Uint8Array;
}

function invalid(why: string): TesseraError {
  return new TesseraError(400, `[tessera] [artifact] invalid model data: ${why}`);
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Interns attribute values in first-seen order; returns per-item indices and the table. */
function intern(values: readonly string[], what: string): { index: Uint16Array; names: string[] } {
  const ids = new Map<string, number>();
  const names: string[] = [];
  const index = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    let id = ids.get(v);
    if (id === undefined) {
      id = names.length;
      if (id >= MAX_ATTRIBUTE_VALUES) throw invalid(`more than ${MAX_ATTRIBUTE_VALUES} distinct ${what}`);
      ids.set(v, id);
      names.push(v);
    }
    index[i] = id;
  }
  return { index, names };
}

function checkIndices(list: readonly number[], n: number, what: string): Int32Array {
  const out = new Int32Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const v = list[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= n) throw invalid(`${what} has item index ${v}`);
    out[i] = v;
  }
  return out;
}

function neighbourSections(m: ModelData): Section[] {
  const n = m.items.length;
  const { k } = m;
  if (m.neighbours.length !== n) throw invalid(`neighbours for ${m.neighbours.length} of ${n} items`);
  const ids = new Int32Array(n * k).fill(-1);
  const scores = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    const row = m.neighbours[i]!;
    if (row.length > k) throw invalid(`item ${i} has ${row.length} neighbours, k is ${k}`);
    for (let j = 0; j < row.length; j++) {
      const [to, score] = row[j]!;
      if (!Number.isInteger(to) || to < 0 || to >= n || to === i) {
        throw invalid(`item ${i} has neighbour ${to}`);
      }
      if (!Number.isFinite(score)) throw invalid(`item ${i} has a non-finite score`);
      ids[i * k + j] = to;
      scores[i * k + j] = score;
    }
  }
  return [
    { id: SECTION.neighbourIds, bytes: bytesOf(ids) },
    { id: SECTION.neighbourScores, bytes: bytesOf(scores) },
  ];
}

function attributeSections(m: ModelData): { sections: Section[]; flags: number } {
  const cats = intern(
    m.items.map((it) => it.category),
    'categories',
  );
  const brands = intern(
    m.items.map((it) => it.brand),
    'brands',
  );
  const stock = new Uint8Array(m.items.length);
  m.items.forEach((it, i) => {
    stock[i] = it.in_stock ? 1 : 0;
  });
  const sections: Section[] = [
    { id: SECTION.itemCategory, bytes: bytesOf(cats.index) },
    { id: SECTION.itemBrand, bytes: bytesOf(brands.index) },
    { id: SECTION.itemInStock, bytes: stock },
    { id: SECTION.categoryNames, bytes: encodeStringTable(cats.names) },
    { id: SECTION.brandNames, bytes: encodeStringTable(brands.names) },
  ];
  let flags = 0;
  if (m.items.some((it) => it.tags.length > 0)) {
    const tagIds = new Map<string, number>();
    const offsets = new Uint32Array(m.items.length + 1);
    const tags: number[] = [];
    m.items.forEach((it, i) => {
      offsets[i] = tags.length;
      for (const t of it.tags) {
        let id = tagIds.get(t);
        if (id === undefined) {
          id = tagIds.size;
          tagIds.set(t, id);
        }
        tags.push(id);
      }
    });
    offsets[m.items.length] = tags.length;
    sections.push(
      { id: SECTION.tagNames, bytes: encodeStringTable([...tagIds.keys()]) },
      { id: SECTION.itemTagOffsets, bytes: bytesOf(offsets) },
      { id: SECTION.itemTags, bytes: bytesOf(Uint32Array.from(tags)) },
    );
    flags |= FLAG.tags;
  }
  if (m.items.some((it) => it.title !== undefined)) {
    const titles = m.items.map((it) => it.title ?? '');
    sections.push({ id: SECTION.itemTitles, bytes: encodeStringTable(titles) });
    flags |= FLAG.titles;
  }
  return { sections, flags };
}

function segmentSections(m: ModelData): Section[] {
  const names = Object.keys(m.segments ?? {}).sort();
  if (names.length === 0) return [];
  const offsets = new Uint32Array(names.length + 1);
  const all: number[] = [];
  names.forEach((name, s) => {
    offsets[s] = all.length;
    all.push(...checkIndices(m.segments![name]!, m.items.length, `segment ${name}`));
  });
  offsets[names.length] = all.length;
  return [
    { id: SECTION.segmentNames, bytes: encodeStringTable(names) },
    { id: SECTION.segmentOffsets, bytes: bytesOf(offsets) },
    { id: SECTION.segmentItems, bytes: bytesOf(Int32Array.from(all)) },
  ];
}

function embeddingSection(m: ModelData): Section | undefined {
  if (m.embeddings === undefined) return undefined;
  const { dim, data } = m.embeddings;
  if (!Number.isInteger(dim) || dim < 1 || data.length !== dim * m.items.length) {
    throw invalid(`embeddings need ${m.items.length} × dim floats`);
  }
  const bytes = new Uint8Array(4 + data.byteLength);
  new DataView(bytes.buffer).setUint32(0, dim, true);
  bytes.set(bytesOf(data), 4);
  return { id: SECTION.embeddings, bytes };
}

/**
 * Writes the artifact. The version is the SHA-256 of the whole file with the
 * version and createdAt fields zeroed, so retraining on the same data gives
 * the same version.
 */
export async function writeArtifact(m: ModelData): Promise<ArrayBuffer> {
  if (!HOST_IS_LITTLE_ENDIAN)
    throw new TesseraError(500, '[tessera] [artifact] big-endian hosts unsupported');
  const n = m.items.length;
  if (!Number.isInteger(m.k) || m.k < 1) throw invalid(`k must be a positive integer, got ${m.k}`);
  const attrs = attributeSections(m);
  const segments = segmentSections(m);
  const embeddings = embeddingSection(m);
  let flags = attrs.flags;
  if (segments.length > 0) flags |= FLAG.segments;
  if (embeddings) flags |= FLAG.embeddings;

  const sections: Section[] = [
    { id: SECTION.meta, bytes: new TextEncoder().encode(JSON.stringify({ trainer: m.trainer })) },
    { id: SECTION.itemIds, bytes: encodeStringTable(m.items.map((it) => it.id)) },
    ...neighbourSections(m),
    { id: SECTION.popular, bytes: bytesOf(checkIndices(m.popular, n, 'popular')) },
    ...segments,
    ...attrs.sections,
    ...(embeddings ? [embeddings] : []),
  ];

  const tableEnd = HEADER_BYTES + SECTION_ENTRY_BYTES * sections.length;
  const offsets: number[] = [];
  let at = alignUp(tableEnd);
  for (const s of sections) {
    offsets.push(at);
    at = alignUp(at + s.bytes.byteLength);
  }
  const total = at;
  if (total > 0xffffffff) throw invalid('artifact larger than 4 GiB');

  const buf = new ArrayBuffer(total);
  const bytes = new Uint8Array(buf);
  const view = new DataView(buf);
  for (let i = 0; i < MAGIC.length; i++) bytes[HEADER.magic + i] = MAGIC.charCodeAt(i);
  view.setUint16(HEADER.formatVersion, FORMAT_VERSION, true);
  view.setUint16(HEADER.flags, flags, true);
  view.setUint32(HEADER.totalLength, total, true);
  view.setUint32(HEADER.itemCount, n, true);
  view.setUint32(HEADER.k, m.k, true);
  view.setUint32(HEADER.sectionCount, sections.length, true);
  sections.forEach((s, i) => {
    const e = HEADER_BYTES + SECTION_ENTRY_BYTES * i;
    view.setUint32(e, s.id, true);
    view.setUint32(e + 4, offsets[i]!, true);
    view.setUint32(e + 8, s.bytes.byteLength, true);
    bytes.set(s.bytes, offsets[i]!);
  });

  const version = await hashBytes(buf);
  for (let i = 0; i < VERSION_CHARS; i++) bytes[HEADER.version + i] = version.charCodeAt(i);
  view.setFloat64(HEADER.createdAt, m.createdAt, true);
  return buf;
}
