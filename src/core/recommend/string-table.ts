/**
 * String tables inside the artifact: `[count u32][offsets u32 × (count+1)][UTF-8 blob]`.
 * Encoding happens in the trainer; decoding is lazy and cached per string, so
 * the edge only pays for the strings it shows.
 * @module
 */
import { TesseraError } from '../errors.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encodes strings into one string-table section (not padded). */
export function encodeStringTable(strings: readonly string[]): Uint8Array {
  const encoded = strings.map((s) => encoder.encode(s));
  const blobBytes = encoded.reduce((n, b) => n + b.byteLength, 0);
  const headBytes = 4 + 4 * (strings.length + 1);
  const out = new Uint8Array(headBytes + blobBytes);
  const view = new DataView(out.buffer);
  view.setUint32(0, strings.length, true);
  let at = 0;
  for (let i = 0; i < encoded.length; i++) {
    view.setUint32(4 + 4 * i, at, true);
    out.set(encoded[i]!, headBytes + at);
    at += encoded[i]!.byteLength;
  }
  view.setUint32(4 + 4 * strings.length, at, true);
  return out;
}

/** A read-only, lazily decoded view of one string table. */
export class StringTable {
  readonly length: number;
  private readonly offsets: Uint32Array;
  private readonly blob: Uint8Array;
  private readonly cache: Array<string | undefined>;
  private index: Map<string, number> | undefined;

  /** `offset` must be 4-byte aligned; throws when the table does not fit `byteLength`. */
  constructor(buf: ArrayBuffer, offset: number, byteLength: number, what: string) {
    const bad = (why: string) => new TesseraError(422, `[tessera] [artifact] ${what}: ${why}`);
    if (byteLength < 8) throw bad('string table too short');
    const count = new DataView(buf, offset, 4).getUint32(0, true);
    const headBytes = 4 + 4 * (count + 1);
    if (headBytes > byteLength) throw bad('string table offsets truncated');
    this.offsets = new Uint32Array(buf, offset + 4, count + 1);
    this.blob = new Uint8Array(buf, offset + headBytes, byteLength - headBytes);
    // One linear pass at load so a bad table can never make a lookup read out of range.
    let prev = 0;
    for (let i = 0; i <= count; i++) {
      const o = this.offsets[i]!;
      if (o < prev || o > this.blob.byteLength) throw bad('string table offsets out of range');
      prev = o;
    }
    this.length = count;
    this.cache = new Array<string | undefined>(count);
  }

  get(i: number): string {
    const hit = this.cache[i];
    if (hit !== undefined) return hit;
    if (!(i >= 0 && i < this.length)) {
      throw new TesseraError(500, `[tessera] [artifact] string index ${i} out of range`);
    }
    const s = decoder.decode(this.blob.subarray(this.offsets[i]!, this.offsets[i + 1]!));
    this.cache[i] = s;
    return s;
  }

  /** Index of a string, -1 when absent; the map is built on first call. */
  indexOf(s: string): number {
    if (this.index === undefined) {
      const m = new Map<string, number>();
      const whole = this.asciiText();
      // First occurrence wins, so duplicate ids resolve like an array search would.
      for (let i = this.length - 1; i >= 0; i--) {
        m.set(whole === undefined ? this.get(i) : whole.slice(this.offsets[i]!, this.offsets[i + 1]!), i);
      }
      this.index = m;
    }
    return this.index.get(s) ?? -1;
  }

  /**
   * The whole blob as one string when it is plain ASCII (item ids usually
   * are): then byte offsets are character offsets, and one decode plus
   * slices is several times faster than a decode per string.
   */
  private asciiText(): string | undefined {
    const b = this.blob;
    for (let i = 0; i < b.length; i++) if (b[i]! >= 0x80) return undefined;
    return decoder.decode(b);
  }

  all(): string[] {
    const out = new Array<string>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.get(i);
    return out;
  }
}
