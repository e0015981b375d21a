/**
 * Readers of the artifact's optional sections: named lists (segments,
 * contexts, users), tags and embeddings. Each validates its bounds once at
 * load and returns closures that never read out of range.
 * @module
 */
import { SECTION, type SectionId } from './artifact-format.js';
import { bad, checkRange, type Sections } from './artifact-sections.js';

export interface NamedLists {
  names: readonly string[];
  get(name: string): Int32Array | undefined;
}

const NO_LISTS: NamedLists = { names: [], get: () => undefined };

/**
 * Lists stored as `names` (string table), `offsets` (Uint32 × names+1) and
 * `items` (Int32, concatenated). The name map is built on first lookup, so a
 * large per-user section costs nothing until a user asks.
 */
export function readNamedLists(
  sec: Sections,
  ids: { names: SectionId; offsets: SectionId; items: SectionId },
  n: number,
  what: string,
): NamedLists {
  if (!sec.has(ids.names)) return NO_LISTS;
  const table = sec.strings(ids.names, `${what} names`);
  const offsets = sec.view(Uint32Array, ids.offsets, `${what} offsets`, table.length + 1);
  const items = sec.view(Int32Array, ids.items, `${what} items`);
  checkRange(items, n, false, `${what} items`);
  for (let s = 0; s < table.length; s++) {
    if (offsets[s]! > offsets[s + 1]! || offsets[s + 1]! > items.length)
      throw bad(`${what} offsets out of range`);
  }
  return {
    get names() {
      return table.all();
    },
    get(name) {
      const s = table.indexOf(name);
      return s < 0 ? undefined : items.subarray(offsets[s]!, offsets[s + 1]!);
    },
  };
}

export function readTags(sec: Sections, n: number): (i: number) => string[] {
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

export interface Embeddings {
  dim: number;
  of(i: number): Float32Array | undefined;
  cosine(i: number, j: number): number;
}

const NO_EMBEDDINGS: Embeddings = { dim: 0, of: () => undefined, cosine: () => 0 };

function cosineOf(data: Float32Array | Int8Array, dim: number, n: number) {
  return (i: number, j: number): number => {
    if (!(i >= 0 && i < n && j >= 0 && j < n)) return 0;
    let dot = 0;
    let ni = 0;
    let nj = 0;
    const a = i * dim;
    const b = j * dim;
    for (let d = 0; d < dim; d++) {
      const x = data[a + d]!;
      const y = data[b + d]!;
      dot += x * y;
      ni += x * x;
      nj += y * y;
    }
    return ni > 0 && nj > 0 ? dot / Math.sqrt(ni * nj) : 0;
  };
}

export function readEmbeddings(sec: Sections, buf: ArrayBuffer, n: number): Embeddings {
  if (sec.has(SECTION.embeddingsInt8)) {
    const span = sec.span(SECTION.embeddingsInt8, 'int8 embeddings');
    if (span.length < 8) throw bad('int8 embeddings section truncated');
    const dim = new DataView(buf, span.offset, 4).getUint32(0, true);
    if (dim < 1 || 8 + 4 * n + dim * n !== span.length)
      throw bad(`int8 embeddings section has ${span.length} bytes`);
    const scale = new Float32Array(buf, span.offset + 8, n);
    const data = new Int8Array(buf, span.offset + 8 + 4 * n, dim * n);
    return {
      dim,
      of(i) {
        if (!(i >= 0 && i < n)) return undefined;
        const out = new Float32Array(dim);
        for (let d = 0; d < dim; d++) out[d] = data[i * dim + d]! * scale[i]!;
        return out;
      },
      // The per-item scale cancels out of a cosine, so it reads the int8 codes directly.
      cosine: cosineOf(data, dim, n),
    };
  }
  if (!sec.has(SECTION.embeddings)) return NO_EMBEDDINGS;
  const span = sec.span(SECTION.embeddings, 'embeddings');
  if (span.length < 4) throw bad('embeddings section truncated');
  const dim = new DataView(buf, span.offset, 4).getUint32(0, true);
  if (dim < 1 || 4 + 4 * dim * n !== span.length) throw bad(`embeddings section has ${span.length} bytes`);
  const data = new Float32Array(buf, span.offset + 4, dim * n);
  return {
    dim,
    of: (i) => (i >= 0 && i < n ? data.subarray(i * dim, i * dim + dim) : undefined),
    cosine: cosineOf(data, dim, n),
  };
}
