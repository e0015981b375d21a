/**
 * Encoders for the artifact's optional sections: named lists (segments,
 * contexts, users), embeddings (Float32 or int8) and the new-item flags.
 * @module
 */
import { TesseraError } from '../errors.js';
import { type ModelData, SECTION, type SectionId } from './artifact-format.js';
import { encodeStringTable } from './string-table.js';

export interface Section {
  id: SectionId;
  bytes: Uint8Array;
}

export function invalid(why: string): TesseraError {
  return new TesseraError(400, `[tessera] [artifact] invalid model data: ${why}`);
}

export function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

export function checkIndices(list: readonly number[], n: number, what: string): Int32Array {
  const out = new Int32Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const v = list[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= n) throw invalid(`${what} has item index ${v}`);
    out[i] = v;
  }
  return out;
}

/** Named lists as three sections (names, offsets, items); none when `lists` is empty. */
export function namedListSections(
  lists: Record<string, number[]> | undefined,
  n: number,
  ids: { names: SectionId; offsets: SectionId; items: SectionId },
  what: string,
): Section[] {
  const names = Object.keys(lists ?? {}).sort();
  if (names.length === 0) return [];
  const offsets = new Uint32Array(names.length + 1);
  let total = 0;
  names.forEach((name, s) => {
    offsets[s] = total;
    total += lists![name]!.length;
  });
  offsets[names.length] = total;
  const items = new Int32Array(total);
  names.forEach((name, s) => {
    items.set(checkIndices(lists![name]!, n, `${what} ${name}`), offsets[s]!);
  });
  return [
    { id: ids.names, bytes: encodeStringTable(names) },
    { id: ids.offsets, bytes: bytesOf(offsets) },
    { id: ids.items, bytes: bytesOf(items) },
  ];
}

export function embeddingSection(m: ModelData): Section | undefined {
  if (m.embeddings === undefined) return undefined;
  const n = m.items.length;
  const { dim, data } = m.embeddings;
  if (!Number.isInteger(dim) || dim < 1 || data.length !== dim * n) {
    throw invalid(`embeddings need ${n} × dim floats`);
  }
  for (let t = 0; t < data.length; t++) {
    if (!Number.isFinite(data[t]!)) throw invalid('embeddings hold a non-finite value');
  }
  if (m.encoding?.embeddings === 'int8' && m.encoding.formatVersion !== 1) {
    // Symmetric per-item scale: q = round(x / scale), scale = max|x| / 127.
    const bytes = new Uint8Array(8 + 4 * n + dim * n);
    new DataView(bytes.buffer).setUint32(0, dim, true);
    const scale = new Float32Array(bytes.buffer, 8, n);
    const codes = new Int8Array(bytes.buffer, 8 + 4 * n, dim * n);
    for (let i = 0; i < n; i++) {
      let max = 0;
      for (let d = 0; d < dim; d++) max = Math.max(max, Math.abs(data[i * dim + d]!));
      const s = max / 127;
      scale[i] = s;
      for (let d = 0; d < dim; d++) codes[i * dim + d] = s > 0 ? Math.round(data[i * dim + d]! / s) : 0;
    }
    return { id: SECTION.embeddingsInt8, bytes };
  }
  const bytes = new Uint8Array(4 + data.byteLength);
  new DataView(bytes.buffer).setUint32(0, dim, true);
  bytes.set(bytesOf(data), 4);
  return { id: SECTION.embeddings, bytes };
}

export function newItemSection(m: ModelData): Section | undefined {
  if (!m.items.some((it) => it.isNew)) return undefined;
  const flags = new Uint8Array(m.items.length);
  m.items.forEach((it, i) => {
    flags[i] = it.isNew ? 1 : 0;
  });
  return { id: SECTION.itemIsNew, bytes: flags };
}
