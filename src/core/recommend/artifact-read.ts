/**
 * Loads an artifact as typed-array views over its one ArrayBuffer. Loading
 * validates every bound it needs once but never parses items: ids, titles and
 * names decode lazily, the id map is built on first `indexOf`, and v2
 * neighbour rows are decoded only when the ranker reads them (ids past the
 * catalog end a row, so damage cannot reach past the buffer). Loading a
 * 100,000-item v2 artifact therefore costs O(items) small checks, not
 * O(items × K).
 * @module
 */
import { TesseraError } from '../errors.js';
import {
  type Artifact,
  HEADER,
  HEADER_BYTES,
  HOST_IS_LITTLE_ENDIAN,
  MAGIC,
  type NeighbourRows,
  READABLE_VERSIONS,
  SECTION,
  VERSION_CHARS,
} from './artifact-format.js';
import { readEmbeddings, readNamedLists, readTags } from './artifact-optional.js';
import { bad, checkRange, readSectionTable, Sections } from './artifact-sections.js';
import { legacyNeighbourRows, readNeighbourBlock } from './neighbour-block.js';

/**
 * The version (content hash) an artifact's header carries, read without
 * loading the rest: the one reader of those bytes, for the loader, the model
 * watcher and the model notices a cluster sends. '' when the buffer is too
 * short to hold one.
 */
export function artifactVersion(buf: ArrayBuffer): string {
  if (buf.byteLength < HEADER.version + VERSION_CHARS) return '';
  return String.fromCharCode(...new Uint8Array(buf, HEADER.version, VERSION_CHARS));
}

function readHeader(buf: ArrayBuffer): DataView {
  if (!HOST_IS_LITTLE_ENDIAN)
    throw new TesseraError(500, '[tessera] [artifact] big-endian hosts unsupported');
  if (buf.byteLength < HEADER_BYTES) throw bad(`truncated: ${buf.byteLength} bytes`);
  const view = new DataView(buf);
  const magic = String.fromCharCode(...new Uint8Array(buf, HEADER.magic, 4));
  if (magic !== MAGIC) throw bad('bad magic, not a Tessera artifact');
  const fv = view.getUint16(HEADER.formatVersion, true);
  if (!READABLE_VERSIONS.includes(fv))
    throw bad(`unsupported format version ${fv} (this reader knows ${READABLE_VERSIONS.join(', ')})`);
  const total = view.getUint32(HEADER.totalLength, true);
  if (total !== buf.byteLength)
    throw bad(`truncated or padded: header says ${total} bytes, got ${buf.byteLength}`);
  return view;
}

function readTrainer(sec: Sections, buf: ArrayBuffer): string {
  try {
    const metaSpan = sec.span(SECTION.meta, 'meta');
    const meta = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, metaSpan.offset, metaSpan.length)));
    return String(meta.trainer ?? '');
  } catch (e) {
    if (e instanceof TesseraError) throw e;
    throw bad('meta section is not JSON');
  }
}

/** v1: Int32 ids and Float32 scores, validated entry by entry (the old, slower load). */
function readLegacyNeighbours(sec: Sections, n: number, k: number): NeighbourRows {
  const ids = sec.view(Int32Array, SECTION.neighbourIds, 'neighbour ids', n * k);
  const scores = sec.view(Float32Array, SECTION.neighbourScores, 'neighbour scores', n * k);
  checkRange(ids, n, true, 'neighbour ids');
  for (let t = 0; t < scores.length; t++) {
    if (!Number.isFinite(scores[t]!)) throw bad('neighbour scores hold a non-finite value');
  }
  return legacyNeighbourRows(ids, scores, k);
}

function readBlock(sec: Sections, id: 19 | 20, n: number, what: string): NeighbourRows {
  const span = sec.span(id, what);
  return readNeighbourBlock(sec.buf, span.offset, span.length, n, what);
}

/** Reads and validates an artifact. Throws TesseraError (422) on bad magic, version or truncation. */
export function readArtifact(buf: ArrayBuffer): Artifact {
  const header = readHeader(buf);
  const formatVersion = header.getUint16(HEADER.formatVersion, true);
  const n = header.getUint32(HEADER.itemCount, true);
  const k = header.getUint32(HEADER.k, true);
  const createdAt = header.getFloat64(HEADER.createdAt, true);
  const version = artifactVersion(buf);
  const sec = new Sections(buf, readSectionTable(buf, header));
  const trainer = readTrainer(sec, buf);

  const ids = sec.strings(SECTION.itemIds, 'item ids');
  if (ids.length !== n) throw bad(`item id table has ${ids.length} ids, header says ${n}`);
  const neighbours =
    formatVersion === 1
      ? readLegacyNeighbours(sec, n, k)
      : readBlock(sec, SECTION.neighbourBlock, n, 'neighbours');
  if (neighbours.k !== k) throw bad(`neighbour block has k=${neighbours.k}, header says ${k}`);
  const sessionNext = sec.has(SECTION.sessionNext)
    ? readBlock(sec, SECTION.sessionNext, n, 'session successors')
    : undefined;
  const sessionOnnx = sec.has(SECTION.sessionOnnx)
    ? sec.view(Uint8Array, SECTION.sessionOnnx, 'onnx session model')
    : undefined;
  const popular = sec.view(Int32Array, SECTION.popular, 'popular');
  checkRange(popular, n, false, 'popular');
  const category = sec.view(Uint16Array, SECTION.itemCategory, 'item categories', n);
  const brand = sec.view(Uint16Array, SECTION.itemBrand, 'item brands', n);
  const stock = sec.view(Uint8Array, SECTION.itemInStock, 'stock flags', n);
  const isNew = sec.has(SECTION.itemIsNew)
    ? sec.view(Uint8Array, SECTION.itemIsNew, 'new-item flags', n)
    : undefined;
  const categories = sec.strings(SECTION.categoryNames, 'category names');
  const brands = sec.strings(SECTION.brandNames, 'brand names');
  checkRange(category, categories.length, false, 'item categories');
  checkRange(brand, brands.length, false, 'item brands');
  const titles = sec.has(SECTION.itemTitles) ? sec.strings(SECTION.itemTitles, 'item titles') : undefined;
  if (titles && titles.length !== n) throw bad('title table does not match item count');
  const segments = readNamedLists(
    sec,
    { names: SECTION.segmentNames, offsets: SECTION.segmentOffsets, items: SECTION.segmentItems },
    n,
    'segment',
  );
  const contexts = readNamedLists(
    sec,
    { names: SECTION.contextNames, offsets: SECTION.contextOffsets, items: SECTION.contextItems },
    n,
    'context',
  );
  const users = readNamedLists(
    sec,
    { names: SECTION.userNames, offsets: SECTION.userOffsets, items: SECTION.userItems },
    n,
    'user',
  );
  const tagsOf = readTags(sec, n);
  const embeddings = readEmbeddings(sec, buf, n);

  return {
    version,
    formatVersion,
    createdAt,
    trainer,
    itemCount: n,
    k,
    indexOf: (id) => ids.indexOf(id),
    idOf: (i) => ids.get(i),
    titleOf: (i) => (titles ? titles.get(i) || undefined : undefined),
    neighbours,
    sessionNext,
    sessionOnnx,
    popular,
    segmentNames: segments.names,
    segmentList: segments.get,
    contextNames: contexts.names,
    contextList: contexts.get,
    userList: users.get,
    isNew: (i) => isNew?.[i] === 1,
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
    embeddingCosine: embeddings.cosine,
    byteLength: buf.byteLength,
  };
}
