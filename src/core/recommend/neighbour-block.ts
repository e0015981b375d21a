/**
 * The compact neighbour block of artifact v2, used for item neighbours and
 * for session successors:
 *
 * ```
 * [rows u32][k u32][idBytes u8][scoreBits u8][reserved u16][reserved u32]   16 bytes
 * ids      rows·k × idBytes (3: 24-bit little-endian, 4: u32), padded to 4 bytes
 *          all-ones pads a short row (padding only at the row's end)
 * scales   Float32 × rows·2: (min, step) per row        — absent when scoreBits = 32
 * scores   rows·k × scoreBits/8: Uint8 / Uint16 codes q, score = min + q·step,
 *          or Float32 scores when scoreBits = 32
 * ```
 *
 * Why per-row min/step: a row's scores share one scale (one item's
 * neighbours), and ranking only compares a few rows summed with weights, so
 * 8 bits per score keep the order of what matters (see the overlap test) at a
 * quarter of Float32's size. Decoding happens per row on the hot path: the
 * edge touches (recent items × K) entries, never the whole block, and load
 * costs nothing per item.
 * @module
 */
import { TesseraError } from '../errors.js';
import type { DenseNeighbours, NeighbourLists, NeighbourRows } from './artifact-format.js';

const HEAD = 16;
const align4 = (n: number) => Math.ceil(n / 4) * 4;

function bad(why: string): TesseraError {
  return new TesseraError(422, `[tessera] [artifact] ${why}`);
}

function invalid(why: string): TesseraError {
  return new TesseraError(400, `[tessera] [artifact] invalid model data: ${why}`);
}

/** Lists or dense rows → dense rows, validated (in range, never self, finite). */
export function toDense(
  input: NeighbourLists | DenseNeighbours,
  n: number,
  k: number,
  what: string,
): DenseNeighbours {
  if (!Array.isArray(input)) {
    if (input.ids.length !== n * k || input.scores.length !== n * k) {
      throw invalid(`${what}: dense rows need ${n}×${k} entries`);
    }
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < k; j++) {
        const t = i * k + j;
        const to = input.ids[t]!;
        if (to === -1) continue;
        if (to < 0 || to >= n || to === i) throw invalid(`${what}: item ${i} has neighbour ${to}`);
        if (j > 0 && input.ids[t - 1] === -1) throw invalid(`${what}: item ${i} has a gap in its row`);
        if (!Number.isFinite(input.scores[t]!)) throw invalid(`${what}: item ${i} has a non-finite score`);
      }
    }
    return input;
  }
  if (input.length !== n) throw invalid(`${what} for ${input.length} of ${n} items`);
  const ids = new Int32Array(n * k).fill(-1);
  const scores = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    const row = input[i]!;
    if (row.length > k) throw invalid(`item ${i} has ${row.length} ${what}, k is ${k}`);
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
  return { ids, scores };
}

/** Encodes dense rows as one neighbour block. */
export function encodeNeighbourBlock(
  rows: DenseNeighbours,
  n: number,
  k: number,
  scoreBits: 8 | 16 | 32,
): Uint8Array {
  const idBytes = n < 0xffffff ? 3 : 4;
  const entries = n * k;
  const idsLen = align4(entries * idBytes);
  const scalesLen = scoreBits === 32 ? 0 : n * 8;
  const out = new Uint8Array(HEAD + idsLen + scalesLen + entries * (scoreBits / 8));
  const view = new DataView(out.buffer);
  view.setUint32(0, n, true);
  view.setUint32(4, k, true);
  out[8] = idBytes;
  out[9] = scoreBits;
  for (let t = 0; t < entries; t++) {
    const id = rows.ids[t]!;
    const v = id < 0 ? 0xffffffff : id;
    const o = HEAD + t * idBytes;
    if (idBytes === 3) {
      out[o] = v & 0xff;
      out[o + 1] = (v >>> 8) & 0xff;
      out[o + 2] = (v >>> 16) & 0xff;
    } else view.setUint32(o, v >>> 0, true);
  }
  const scoresAt = HEAD + idsLen + scalesLen;
  if (scoreBits === 32) {
    new Float32Array(out.buffer, scoresAt, entries).set(rows.scores);
    return out;
  }
  const scales = new Float32Array(out.buffer, HEAD + idsLen, n * 2);
  const levels = scoreBits === 8 ? 255 : 65535;
  const codes =
    scoreBits === 8
      ? new Uint8Array(out.buffer, scoresAt, entries)
      : new Uint16Array(out.buffer, scoresAt, entries);
  for (let i = 0; i < n; i++) {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let t = i * k; t < i * k + k && rows.ids[t]! >= 0; t++) {
      const s = rows.scores[t]!;
      if (s < min) min = s;
      if (s > max) max = s;
    }
    if (min > max) continue; // empty row
    const step = Math.fround((max - min) / levels);
    scales[2 * i] = min;
    scales[2 * i + 1] = step;
    for (let t = i * k; t < i * k + k && rows.ids[t]! >= 0; t++) {
      codes[t] = step > 0 ? Math.min(levels, Math.round((rows.scores[t]! - Math.fround(min)) / step)) : 0;
    }
  }
  return out;
}

/**
 * Maps a neighbour block over `buf` without touching its entries. `itemCount`
 * bounds the ids read later; the block's own row count must match it.
 */
export function readNeighbourBlock(
  buf: ArrayBuffer,
  offset: number,
  length: number,
  itemCount: number,
  what: string,
): NeighbourRows {
  if (length < HEAD) throw bad(`${what} block truncated`);
  const view = new DataView(buf, offset, HEAD);
  const rows = view.getUint32(0, true);
  const k = view.getUint32(4, true);
  const idBytes = view.getUint8(8);
  const scoreBits = view.getUint8(9);
  if (rows !== itemCount) throw bad(`${what} block has ${rows} rows for ${itemCount} items`);
  if ((idBytes !== 3 && idBytes !== 4) || (scoreBits !== 8 && scoreBits !== 16 && scoreBits !== 32)) {
    throw bad(`${what} block has unknown encoding ${idBytes}/${scoreBits}`);
  }
  const entries = rows * k;
  const idsLen = align4(entries * idBytes);
  const scalesLen = scoreBits === 32 ? 0 : rows * 8;
  if (HEAD + idsLen + scalesLen + entries * (scoreBits / 8) !== length) {
    throw bad(`${what} block has ${length} bytes`);
  }
  const idAt = offset + HEAD;
  const scoresAt = idAt + idsLen + scalesLen;
  const ids8 = new Uint8Array(buf, idAt, entries * idBytes);
  const ids32 = idBytes === 4 ? new Uint32Array(buf, idAt, entries) : undefined;
  const scales = scoreBits === 32 ? undefined : new Float32Array(buf, idAt + idsLen, rows * 2);
  const floats = scoreBits === 32 ? new Float32Array(buf, scoresAt, entries) : undefined;
  const codes =
    scoreBits === 8
      ? new Uint8Array(buf, scoresAt, entries)
      : scoreBits === 16
        ? new Uint16Array(buf, scoresAt, entries)
        : undefined;
  const n = itemCount;
  return {
    k,
    scoreBits,
    read(i, outIds, outScores) {
      if (!(i >= 0 && i < rows)) return 0;
      const base = i * k;
      const min = scales ? scales[2 * i]! : 0;
      const step = scales ? scales[2 * i + 1]! : 0;
      let c = 0;
      for (let t = base; t < base + k; t++) {
        let id: number;
        if (ids32) id = ids32[t]!;
        else {
          const o = t * 3;
          id = ids8[o]! | (ids8[o + 1]! << 8) | (ids8[o + 2]! << 16);
        }
        if (id >= n) break; // padding (all ones) or damage
        const s = floats ? floats[t]! : min + codes![t]! * step;
        if (!Number.isFinite(s)) break;
        outIds[c] = id;
        outScores[c] = s;
        c++;
      }
      return c;
    },
  };
}

/** The v1 layout (Int32 ids, Float32 scores, validated at load) behind the same interface. */
export function legacyNeighbourRows(ids: Int32Array, scores: Float32Array, k: number): NeighbourRows {
  const rows = k === 0 ? 0 : ids.length / k;
  return {
    k,
    scoreBits: 32,
    read(i, outIds, outScores) {
      if (!(i >= 0 && i < rows)) return 0;
      let c = 0;
      for (let t = i * k; t < i * k + k; t++) {
        const id = ids[t]!;
        if (id < 0) break;
        outIds[c] = id;
        outScores[c] = scores[t]!;
        c++;
      }
      return c;
    },
  };
}

/** Row i as (item index, score) pairs, best first: for tests, tools and traces, not the hot path. */
export function neighbourRow(rows: NeighbourRows, i: number): Array<[number, number]> {
  const ids = new Int32Array(rows.k);
  const scores = new Float32Array(rows.k);
  const c = rows.read(i, ids, scores);
  return Array.from({ length: c }, (_, j): [number, number] => [ids[j]!, scores[j]!]);
}
