/**
 * The section table of a loaded artifact: finds sections by id and maps them
 * as bounds-checked typed-array views or string tables.
 * @module
 */
import { TesseraError } from '../errors.js';
import { HEADER, HEADER_BYTES, SECTION_ENTRY_BYTES, type SectionId } from './artifact-format.js';
import { StringTable } from './string-table.js';

export function bad(why: string): TesseraError {
  return new TesseraError(422, `[tessera] [artifact] ${why}`);
}

export interface Span {
  offset: number;
  length: number;
}

/** Checks that every index in `list` is -1 (when allowed) or a valid index below `n`. */
export function checkRange(list: ArrayLike<number>, n: number, allowPad: boolean, what: string): void {
  for (let i = 0; i < list.length; i++) {
    const v = list[i]!;
    if (v >= n || (v < 0 && !(allowPad && v === -1))) throw bad(`${what} holds index ${v}`);
  }
}

export function readSectionTable(buf: ArrayBuffer, view: DataView): Map<number, Span> {
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

export class Sections {
  constructor(
    readonly buf: ArrayBuffer,
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
