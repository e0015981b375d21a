/**
 * Loads an artifact as typed-array views over its one ArrayBuffer. Loading
 * validates every bound once (so lookups on the hot path never go out of
 * range) but never parses items: ids, titles and names decode lazily, the id
 * map is built on first `indexOf`.
 * @module
 */
import { TesseraError } from '../errors.js';
import {
  type Artifact,
  FORMAT_VERSION,
  HEADER,
  HEADER_BYTES,
  HOST_IS_LITTLE_ENDIAN,
  MAGIC,
  SECTION,
  SECTION_ENTRY_BYTES,
  type SectionId,
  VERSION_CHARS,
} from './artifact-format.js';
import { StringTable } from './string-table.js';

function bad(why: string): TesseraError {
  return new TesseraError(422, `[tessera] [artifact] ${why}`);
}

interface Span {
  offset: number;
  length: number;
}

function readSectionTable(buf: ArrayBuffer, view: DataView): Map<number, Span> {
  const count = view.getUint32(HEADER.sectionCount, true);
  const tableEnd = HEADER_BYTES + SECTION_ENTRY_BYTES * count;
  if (tableEnd > buf.byteLength) throw bad('section table truncated');
  const spans = new Map<number, Span>();
  for (let i = 0; i < count; i++) {
    const e = HEADER_BYTES + SECTION_ENTRY_BYTES * i;
    const id = view.getUint32(e, true);
    const offset = view.getUint32(e + 4, true);
    const length = view.getUint32(e + 8, true);
    if (offset % 4 !== 0 || offset < tableEnd || offset + length > buf.byteLength) {
      throw bad(`section ${id} out of bounds`);
    }
    if (spans.has(id)) throw bad(`section ${id} appears twice`);
    spans.set(id, { offset, length });
  }
  return spans;
}

/** Checks that every index in `list` is -1 (when allowed) or a valid index below `n`. */
function checkRange(list: ArrayLike<number>, n: number, allowPad: boolean, what: string): void {
  for (let i = 0; i < list.length; i++) {
    const v = list[i]!;
    if (v >= n || (v < 0 && !(allowPad && v === -1))) throw bad(`${what} holds index ${v}`);
  }
}

class Sections {
  constructor(
    private readonly buf: ArrayBuffer,
    private readonly spans: Map<number, Span>,
  ) {}

  has(id: SectionId): boolean {
    return this.spans.has(id);
  }

  span(id: SectionId, name: string): Span {
    const s = this.spans.get(id);
    if (s === undefined) throw bad(`missing ${name} section`);
    return s;
  }

  /** A typed view of exactly `count` elements (count undefined: whatever fits). */
  view<T>(
    Ctor: { new (b: ArrayBuffer, o: number, l: number): T; BYTES_PER_ELEMENT: number },
    id: SectionId,
    name: string,
    count?: number,
  ): T {
    const s = this.span(id, name);
    const size = Ctor.BYTES_PER_ELEMENT;
    const n = count ?? Math.floor(s.length / size);
    if (n * size > s.length || (count === undefined && s.length % size !== 0)) {
      throw bad(`${name} section has ${s.length} bytes`);
    }
    return new Ctor(this.buf, s.offset, n);
  }

  strings(id: SectionId, name: string): StringTable {
    const s = this.span(id, name);
    return new StringTable(this.buf, s.offset, s.length, name);
  }
}

function readHeader(buf: ArrayBuffer): DataView {
  if (!HOST_IS_LITTLE_ENDIAN)
    throw new TesseraError(500, '[tessera] [artifact] big-endian hosts unsupported');
  if (buf.byteLength < HEADER_BYTES) throw bad(`truncated: ${buf.byteLength} bytes`);
  const view = new DataView(buf);
  const magic = String.fromCharCode(...new Uint8Array(buf, HEADER.magic, 4));
  if (magic !== MAGIC) throw bad('bad magic, not a Tessera artifact');
  const fv = view.getUint16(HEADER.formatVersion, true);
  if (fv !== FORMAT_VERSION)
    throw bad(`unsupported format version ${fv} (this reader knows ${FORMAT_VERSION})`);
  const total = view.getUint32(HEADER.totalLength, true);
  if (total !== buf.byteLength)
    throw bad(`truncated or padded: header says ${total} bytes, got ${buf.byteLength}`);
  return view;
}

/** Reads and validates an artifact. Throws TesseraError (422) on bad magic, version or truncation. */
export function readArtifact(buf: ArrayBuffer): Artifact {
  const header = readHeader(buf);
  const n = header.getUint32(HEADER.itemCount, true);
  const k = header.getUint32(HEADER.k, true);
  const createdAt = header.getFloat64(HEADER.createdAt, true);
  const version = String.fromCharCode(...new Uint8Array(buf, HEADER.version, VERSION_CHARS));
  const sec = new Sections(buf, readSectionTable(buf, header));

  let trainer: string;
  try {
    const metaSpan = sec.span(SECTION.meta, 'meta');
    const meta = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, metaSpan.offset, metaSpan.length)));
    trainer = String(meta.trainer ?? '');
  } catch (e) {
    if (e instanceof TesseraError) throw e;
    throw bad('meta section is not JSON');
  }

  const ids = sec.strings(SECTION.itemIds, 'item ids');
  if (ids.length !== n) throw bad(`item id table has ${ids.length} ids, header says ${n}`);
  const neighbourIds = sec.view(Int32Array, SECTION.neighbourIds, 'neighbour ids', n * k);
  const neighbourScores = sec.view(Float32Array, SECTION.neighbourScores, 'neighbour scores', n * k);
  checkRange(neighbourIds, n, true, 'neighbour ids');
  for (let t = 0; t < neighbourScores.length; t++) {
    if (!Number.isFinite(neighbourScores[t]!)) throw bad('neighbour scores hold a non-finite value');
  }
  const popular = sec.view(Int32Array, SECTION.popular, 'popular');
  checkRange(popular, n, false, 'popular');
  const category = sec.view(Uint16Array, SECTION.itemCategory, 'item categories', n);
  const brand = sec.view(Uint16Array, SECTION.itemBrand, 'item brands', n);
  const stock = sec.view(Uint8Array, SECTION.itemInStock, 'stock flags', n);
  const categories = sec.strings(SECTION.categoryNames, 'category names');
  const brands = sec.strings(SECTION.brandNames, 'brand names');
  checkRange(category, categories.length, false, 'item categories');
  checkRange(brand, brands.length, false, 'item brands');
  const titles = sec.has(SECTION.itemTitles) ? sec.strings(SECTION.itemTitles, 'item titles') : undefined;
  if (titles && titles.length !== n) throw bad('title table does not match item count');
  const segmentList = readSegments(sec, n);
  const tagsOf = readTags(sec, n);
  const embeddings = readEmbeddings(sec, buf, n);

  return {
    version,
    formatVersion: FORMAT_VERSION,
    createdAt,
    trainer,
    itemCount: n,
    k,
    indexOf: (id) => ids.indexOf(id),
    idOf: (i) => ids.get(i),
    titleOf: (i) => (titles ? titles.get(i) || undefined : undefined),
    neighbourIds,
    neighbourScores,
    popular,
    segmentNames: segmentList.names,
    segmentList: segmentList.get,
    categoryOf: (i) => categories.get(category[i]!),
    brandOf: (i) => brands.get(brand[i]!),
    categoryIndexOf: (i) => category[i]!,
    brandIndexOf: (i) => brand[i]!,
    categoryIndex: (name) => categories.indexOf(name),
    brandIndex: (name) => brands.indexOf(name),
    tagsOf,
    inStock: (i) => stock[i] === 1,
    embeddingDim: embeddings.dim,
    embeddingOf: embeddings.of,
    byteLength: buf.byteLength,
  };
}

function readSegments(
  sec: Sections,
  n: number,
): { names: readonly string[]; get: (name: string) => Int32Array | undefined } {
  if (!sec.has(SECTION.segmentNames)) return { names: [], get: () => undefined };
  const table = sec.strings(SECTION.segmentNames, 'segment names');
  const offsets = sec.view(Uint32Array, SECTION.segmentOffsets, 'segment offsets', table.length + 1);
  const items = sec.view(Int32Array, SECTION.segmentItems, 'segment items');
  checkRange(items, n, false, 'segment items');
  const lists = new Map<string, Int32Array>();
  for (let s = 0; s < table.length; s++) {
    const from = offsets[s]!;
    const to = offsets[s + 1]!;
    if (from > to || to > items.length) throw bad('segment offsets out of range');
    lists.set(table.get(s), items.subarray(from, to));
  }
  return { names: table.all(), get: (name) => lists.get(name) };
}

function readTags(sec: Sections, n: number): (i: number) => string[] {
  if (!sec.has(SECTION.tagNames)) return () => [];
  const names = sec.strings(SECTION.tagNames, 'tag names');
  const offsets = sec.view(Uint32Array, SECTION.itemTagOffsets, 'item tag offsets', n + 1);
  const tags = sec.view(Uint32Array, SECTION.itemTags, 'item tags');
  checkRange(tags, names.length, false, 'item tags');
  checkRange(offsets, tags.length + 1, false, 'item tag offsets');
  return (i) => {
    const out: string[] = [];
    for (let t = offsets[i]!; t < offsets[i + 1]!; t++) out.push(names.get(tags[t]!));
    return out;
  };
}

function readEmbeddings(
  sec: Sections,
  buf: ArrayBuffer,
  n: number,
): { dim: number; of: (i: number) => Float32Array | undefined } {
  if (!sec.has(SECTION.embeddings)) return { dim: 0, of: () => undefined };
  const span = sec.span(SECTION.embeddings, 'embeddings');
  if (span.length < 4) throw bad('embeddings section too short');
  const dim = new DataView(buf, span.offset, 4).getUint32(0, true);
  if (dim < 1 || 4 + 4 * dim * n !== span.length) throw bad(`embeddings section has ${span.length} bytes`);
  const data = new Float32Array(buf, span.offset + 4, dim * n);
  return { dim, of: (i) => (i >= 0 && i < n ? data.subarray(i * dim, i * dim + dim) : undefined) };
}
