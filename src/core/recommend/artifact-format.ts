/**
 * The recommendation artifact's binary layout, shared by the writer (trainer)
 * and the reader (edge). One little-endian file:
 *
 * ```
 * offset  size  field
 *      0     4  magic "TSRA"
 *      4     2  format version (u16)         — a reader rejects versions it does not know
 *      6     2  flags (u16)                  — which optional sections are present (informational)
 *      8     4  total byte length (u32)      — catches truncation and trailing junk
 *     12     4  item count (u32)
 *     16     4  K, neighbours per item (u32)
 *     20     4  section count (u32)
 *     24     8  createdAt, epoch ms (f64)    — not part of the content hash
 *     32    16  version: hex content hash (ASCII) — not part of the content hash
 *     48    16  reserved (zero)
 *     64  16·n  section table: { id u32, offset u32, length u32, reserved u32 }
 *      …        sections, each starting on an 8-byte boundary
 * ```
 *
 * Sections are found by id, so later trainers can add sections (per-user
 * lists, EASE/ALS extras) without breaking older readers: unknown ids are
 * ignored, missing optional ids read as "absent". A change that old readers
 * must not misread bumps FORMAT_VERSION instead.
 *
 * Every numeric section is a plain array so the reader maps it as a typed
 * array view over the one ArrayBuffer (no per-item parsing). String tables
 * are `[count u32][offsets u32 × (count+1)][UTF-8 blob]`, offsets relative to
 * the blob.
 *
 * Version 2 stores neighbours compactly (neighbour-block.ts): 24-bit ids and
 * 8-bit scores quantized per row, so 100,000 items × 50 neighbours take about
 * 19 MiB and fit one Cloudflare KV value (25 MiB). It adds optional sections:
 * session successors (same encoding), per-context and per-user lists, int8
 * embeddings and a "new item" flag. Version 1 files (Int32 ids, Float32
 * scores in sections 3 and 4) still load.
 * @module
 */

export const MAGIC = 'TSRA';
/** The version the writer produces by default. */
export const FORMAT_VERSION = 2;
/** Versions this reader loads. */
export const READABLE_VERSIONS: readonly number[] = [1, 2];
export const HEADER_BYTES = 64;
export const SECTION_ENTRY_BYTES = 16;
/** Section starts are aligned to 8 so a future Float64 section also maps as a view. */
export const SECTION_ALIGN = 8;
/** Hex characters of the SHA-256 content hash kept as the version. */
export const VERSION_CHARS = 16;

export const HEADER = {
  magic: 0,
  formatVersion: 4,
  flags: 6,
  totalLength: 8,
  itemCount: 12,
  k: 16,
  sectionCount: 20,
  createdAt: 24,
  version: 32,
} as const;

/** Section ids. Never reuse a number; add new ones at the end. */
export const SECTION = {
  /** JSON `{ trainer: string }` — small metadata, parsed once at load. */
  meta: 1,
  /** String table of item ids. */
  itemIds: 2,
  /** Int32 × itemCount·K; -1 pads short lists (padding is always at the end). */
  neighbourIds: 3,
  /** Float32 × itemCount·K, best first per item. */
  neighbourScores: 4,
  /** Int32 item indices, most popular first. */
  popular: 5,
  /** String table of segment ids (optional). */
  segmentNames: 6,
  /** Uint32 × (segments+1): start of each segment's list in `segmentItems`. */
  segmentOffsets: 7,
  /** Int32 item indices of every segment list, concatenated. */
  segmentItems: 8,
  /** Uint16 × itemCount, index into `categoryNames`. */
  itemCategory: 9,
  /** Uint16 × itemCount, index into `brandNames`. */
  itemBrand: 10,
  /** Uint8 × itemCount, 1 = in stock. */
  itemInStock: 11,
  categoryNames: 12,
  brandNames: 13,
  /** String table of tag names (optional). */
  tagNames: 14,
  /** Uint32 × (itemCount+1) into `itemTags` (optional, with tagNames). */
  itemTagOffsets: 15,
  /** Uint32 tag indices of every item, concatenated (optional). */
  itemTags: 16,
  /** String table of item titles, same order as ids (optional; used in reasons). */
  itemTitles: 17,
  /** `[dim u32][Float32 × itemCount·dim]` (optional). */
  embeddings: 18,
  /** v2: item neighbours as one neighbour block (neighbour-block.ts). */
  neighbourBlock: 19,
  /** v2: session successors (sequential rules) per item, a neighbour block (optional). */
  sessionNext: 20,
  /** v2: `[dim u32][0 u32][Float32 scale × itemCount][Int8 × itemCount·dim]` (optional). */
  embeddingsInt8: 21,
  /** v2: string table of context keys (`country:de`, `hour:morning`, …) (optional). */
  contextNames: 22,
  contextOffsets: 23,
  contextItems: 24,
  /** v2: string table of user ids with a precomputed list (optional). */
  userNames: 25,
  userOffsets: 26,
  userItems: 27,
  /** v2: Uint8 × itemCount, 1 = the item had no interactions at training (optional). */
  itemIsNew: 28,
  /** v2: an ONNX session model (docs/onnx.md), the raw .onnx bytes (optional). */
  sessionOnnx: 29,
} as const;

export type SectionId = (typeof SECTION)[keyof typeof SECTION];

/** Flag bits: which optional sections the writer included. */
export const FLAG = {
  segments: 1 << 0,
  tags: 1 << 1,
  titles: 1 << 2,
  embeddings: 1 << 3,
  sessionNext: 1 << 4,
  contexts: 1 << 5,
  users: 1 << 6,
} as const;

/** Uint16 attribute indices cap the distinct categories and brands. */
export const MAX_ATTRIBUTE_VALUES = 0xffff;

/** Per item: [item index, score], best first, at most k, never the item itself. */
export type NeighbourLists = Array<Array<[number, number]>>;

/**
 * Neighbours as dense rows, for large catalogs where millions of small
 * arrays would cost more than the artifact: row i is `[i·k, i·k + k)`, -1
 * pads (padding only at the end of a row), scores best first.
 */
export interface DenseNeighbours {
  ids: Int32Array;
  scores: Float32Array;
}

/** How the writer encodes numbers (v2 only). */
export interface ArtifactEncoding {
  /** 1 writes the legacy layout (Int32 ids, Float32 scores). Default 2. */
  formatVersion?: 1 | 2;
  /** Bits per neighbour score: 8 or 16 quantized per row, 32 as Float32 (default 8). */
  scoreBits?: 8 | 16 | 32;
  /** Embeddings as Float32 or int8 with a per-item scale (default float32). */
  embeddings?: 'float32' | 'int8';
}

/** What a trainer hands to `writeArtifact`. Item order defines item indices. */
export interface ModelData {
  items: Array<{
    id: string;
    category: string;
    brand: string;
    tags: string[];
    in_stock: boolean;
    /** Shown in reasons ("because you viewed <title>"); optional. */
    title?: string;
    /** True when the item had no interactions: its neighbours come from attributes only. */
    isNew?: boolean;
  }>;
  /** Neighbours kept per item; shorter lists are padded. */
  k: number;
  neighbours: NeighbourLists | DenseNeighbours;
  /** Session successors per item (sequential rules), same shape as neighbours (v2). */
  sessionNext?: { k: number; neighbours: NeighbourLists | DenseNeighbours };
  /** Context key (`country:de`, `device:mobile`, `hour:morning`, …) → item indices, best first (v2). */
  contexts?: Record<string, number[]>;
  /** User id → item indices, best first (v2). */
  users?: Record<string, number[]>;
  encoding?: ArtifactEncoding;
  /** An ONNX session model over these items' indices (docs/onnx.md), stored as it is (v2). */
  sessionOnnx?: Uint8Array;
  /** Item indices, most popular first. */
  popular: number[];
  /** Segment id → item indices, best first. */
  segments?: Record<string, number[]>;
  /** Row-major item embeddings, `data.length === items.length * dim`. */
  embeddings?: { dim: number; data: Float32Array };
  createdAt: number;
  /** Trainer name and version, e.g. `cooc-attr/1`. */
  trainer: string;
}

/** A loaded artifact: typed-array views over one ArrayBuffer plus lazy lookups. */
export interface Artifact {
  /** Content hash (hex, 16 chars): equal content ⇒ equal version. */
  version: string;
  formatVersion: number;
  createdAt: number;
  trainer: string;
  itemCount: number;
  k: number;
  /** Item index of an id, -1 when unknown. The id map is built once, on first use. */
  indexOf(id: string): number;
  idOf(i: number): string;
  /** Title of an item when the trainer stored titles. */
  titleOf(i: number): string | undefined;
  /** Item neighbours, decoded row by row on the hot path. */
  neighbours: NeighbourRows;
  /** Session successors per item, when the trainer exported a session model. */
  sessionNext: NeighbourRows | undefined;
  /** The ONNX session model's bytes (a view into the artifact), when there is one. */
  sessionOnnx: Uint8Array | undefined;
  popular: Int32Array;
  segmentNames: readonly string[];
  segmentList(name: string): Int32Array | undefined;
  contextNames: readonly string[];
  /** The cold-start list of a context key such as `country:de`. */
  contextList(key: string): Int32Array | undefined;
  userList(userId: string): Int32Array | undefined;
  /** True when the item had no interactions at training time (attribute neighbours only). */
  isNew(i: number): boolean;
  categoryOf(i: number): string;
  brandOf(i: number): string;
  /** Raw Uint16 attribute indices, for comparisons without strings on the hot path. */
  categoryIndexOf(i: number): number;
  brandIndexOf(i: number): number;
  /** Index of a category / brand name, -1 when the artifact has none. */
  categoryIndex(name: string): number;
  brandIndex(name: string): number;
  tagsOf(i: number): string[];
  inStock(i: number): boolean;
  /** 0 when the artifact has no embeddings. */
  embeddingDim: number;
  /** Item i's embedding (a view for Float32, a decoded copy for int8), or undefined. */
  embeddingOf(i: number): Float32Array | undefined;
  /** Cosine similarity of two items' embeddings; 0 without embeddings. No allocation. */
  embeddingCosine(i: number, j: number): number;
  byteLength: number;
}

/** One neighbour list per item, decoded on demand into caller-owned buffers. */
export interface NeighbourRows {
  /** Neighbours kept per item. */
  readonly k: number;
  /** Bits per stored score (32 = exact Float32). */
  readonly scoreBits: number;
  /**
   * Writes row i (best first) into `ids` and `scores` (each at least k long)
   * and returns how many it wrote. Ids outside the catalog end the row, so a
   * damaged file can never make a lookup read out of range.
   */
  read(i: number, ids: Int32Array, scores: Float32Array): number;
}

/** Rounds up to the section alignment. */
export function alignUp(n: number): number {
  return Math.ceil(n / SECTION_ALIGN) * SECTION_ALIGN;
}

/** Typed-array views use host byte order; the format is little-endian. */
export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
