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
  VERSION_CHARS,
} from './artifact-format.js';
import {
  bytesOf,
  checkIndices,
  embeddingSection,
  invalid,
  namedListSections,
  newItemSection,
  type Section,
} from './artifact-write-optional.js';
import { hashBytes } from './content-hash.js';
import { encodeNeighbourBlock, toDense } from './neighbour-block.js';
import { encodeStringTable } from './string-table.js';

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

function neighbourSections(m: ModelData, formatVersion: 1 | 2): Section[] {
  const n = m.items.length;
  const rows = toDense(m.neighbours, n, m.k, 'neighbours');
  if (formatVersion === 1) {
    return [
      { id: SECTION.neighbourIds, bytes: bytesOf(rows.ids) },
      { id: SECTION.neighbourScores, bytes: bytesOf(rows.scores) },
    ];
  }
  const bits = m.encoding?.scoreBits ?? 8;
  const out: Section[] = [{ id: SECTION.neighbourBlock, bytes: encodeNeighbourBlock(rows, n, m.k, bits) }];
  if (m.sessionNext) {
    const { k } = m.sessionNext;
    if (!Number.isInteger(k) || k < 1) throw invalid(`session k must be a positive integer, got ${k}`);
    const next = toDense(m.sessionNext.neighbours, n, k, 'session successors');
    out.push({ id: SECTION.sessionNext, bytes: encodeNeighbourBlock(next, n, k, bits) });
  }
  return out;
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

/**
 * Writes the artifact. The version is the SHA-256 of the whole file with the
 * version and createdAt fields zeroed, so retraining on the same data gives
 * the same version.
 */
export async function writeArtifact(m: ModelData): Promise<ArrayBuffer> {
  if (!HOST_IS_LITTLE_ENDIAN)
    throw new TesseraError(500, '[tessera] [artifact] big-endian hosts unsupported');
  const n = m.items.length;
  const formatVersion = m.encoding?.formatVersion ?? FORMAT_VERSION;
  if (!Number.isInteger(m.k) || m.k < 1) throw invalid(`k must be a positive integer, got ${m.k}`);
  if (formatVersion === 1 && (m.sessionNext || m.contexts || m.users)) {
    throw invalid('format version 1 has no session, context or user sections');
  }
  const attrs = attributeSections(m);
  const segments = namedListSections(
    m.segments,
    n,
    { names: SECTION.segmentNames, offsets: SECTION.segmentOffsets, items: SECTION.segmentItems },
    'segment',
  );
  const contexts = namedListSections(
    m.contexts,
    n,
    { names: SECTION.contextNames, offsets: SECTION.contextOffsets, items: SECTION.contextItems },
    'context',
  );
  const users = namedListSections(
    m.users,
    n,
    { names: SECTION.userNames, offsets: SECTION.userOffsets, items: SECTION.userItems },
    'user',
  );
  const embeddings = embeddingSection(m);
  const isNew = formatVersion === 2 ? newItemSection(m) : undefined;
  let flags = attrs.flags;
  if (segments.length > 0) flags |= FLAG.segments;
  if (embeddings) flags |= FLAG.embeddings;
  if (m.sessionNext) flags |= FLAG.sessionNext;
  if (contexts.length > 0) flags |= FLAG.contexts;
  if (users.length > 0) flags |= FLAG.users;

  const sections: Section[] = [
    { id: SECTION.meta, bytes: new TextEncoder().encode(JSON.stringify({ trainer: m.trainer })) },
    { id: SECTION.itemIds, bytes: encodeStringTable(m.items.map((it) => it.id)) },
    ...neighbourSections(m, formatVersion),
    { id: SECTION.popular, bytes: bytesOf(checkIndices(m.popular, n, 'popular')) },
    ...segments,
    ...contexts,
    ...users,
    ...attrs.sections,
    ...(isNew ? [isNew] : []),
    ...(embeddings ? [embeddings] : []),
    ...(m.sessionOnnx && formatVersion === 2 ? [{ id: SECTION.sessionOnnx, bytes: m.sessionOnnx }] : []),
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
  view.setUint16(HEADER.formatVersion, formatVersion, true);
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
