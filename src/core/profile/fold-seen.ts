/**
 * The `seen` list as the fold keeps it between events: the entries' clock
 * times and hashes as numbers beside their texts, newest first, so that
 * publishing the list is one `slice`.
 *
 * Ordering and dedupe are numeric. An entry's text is its time in base 36, a
 * dot and 8 hex digits of its hash; for two entries of one time the text
 * order is the order of the hashes as unsigned numbers, so "newest first,
 * then by text" (compareSeen) is "time descending, then hash ascending". That
 * holds for entries written the canonical way, as the fold writes them; a
 * list adopted with any other spelling (a leading zero, say) is ordered by
 * its text, as before.
 * @module
 */
import { fnv1a32Number, hex8 } from './hash.js';
import { base36 } from './seen.js';

export class SeenPart {
  /**
   * The entries' times, hashes and texts, newest first (the order of the
   * public list), in the window [head, end) of arrays with room in front:
   * the usual event (the newest yet) goes in front by moving `head` back,
   * the oldest drops by moving `end` back, and the public list is one `slice`
   * of the texts. When `head` reaches 0 the window moves to the back, the
   * arrays first grown to twice its size (so at most once every `limit`
   * entries once full). Times and hashes are kept as unboxed doubles (a hash
   * can exceed a small integer). Plain arrays, small at first: a typed array
   * of this size lives outside the heap and costs about 1 µs to make, more
   * than a whole event on a new profile.
   */
  private times: number[] = doubles(MIN_CAPACITY);
  private hashes: number[] = doubles(MIN_CAPACITY);
  private texts: string[] = strings(MIN_CAPACITY);
  private head = MIN_CAPACITY;
  private end = MIN_CAPACITY;
  /** Every entry is spelled canonically: order by numbers alone. */
  private canonical = true;
  /** The public list while the part is unchanged since it was built. */
  private pub: string[] | undefined;

  constructor(private readonly limit: number) {}

  /** Start over as the list of a profile in normal form, sharing the array; the arrays are kept. */
  adopt(seen: string[]): void {
    const { texts } = this;
    // No text of the list before is kept alive by the arrays.
    for (let i = this.head; i < this.end; i++) texts[i] = '';
    this.canonical = true;
    this.pub = seen;
    this.reserve(seen.length);
    this.end = this.times.length;
    this.head = this.end - seen.length;
    for (let i = 0; i < seen.length; i++) {
      const entry = seen[i]!;
      const dot = entry.indexOf('.');
      const k = this.head + i;
      this.times[k] = Number.parseInt(entry.slice(0, dot), 36);
      this.hashes[k] = Number.parseInt(entry.slice(dot + 1), 16);
      this.texts[k] = entry;
      if (!isCanonical(entry, dot)) this.canonical = false;
    }
  }

  /**
   * Whether an event id's hash is in the list. The list is bounded (32
   * entries) and its hashes are unboxed numbers, so this scan is constant
   * time and faster than keeping a hash map of them in step.
   */
  has(hash: number): boolean {
    const { hashes, end } = this;
    for (let i = this.head; i < end; i++) if (hashes[i] === hash) return true;
    return false;
  }

  /** Record an applied event id's hash, at node time `p`; the hash must not be seen yet. */
  add(p: number, hash: number): void {
    const t = Math.max(0, Math.floor(p));
    const { times, hashes, end } = this;
    // `k`: where the entry goes, newest first.
    let k = this.head;
    const text = seenEntryText(t, hash);
    if (this.canonical) {
      while (k < end && (times[k]! > t || (times[k] === t && hashes[k]! < hash))) k++;
      if (k < end && times[k] === t && hashes[k] === hash) return;
    } else {
      const { texts } = this;
      while (k < end && (times[k]! > t || (times[k] === t && texts[k]! < text))) k++;
      if (k < end && times[k] === t && texts[k] === text) return;
    }
    if (k - this.head >= this.limit) return; // older than everything kept: dropped at once
    this.insert(k, t, hash, text);
    if (this.end - this.head > this.limit) {
      // The oldest goes.
      this.end--;
      this.texts[this.end] = '';
    }
    this.pub = undefined;
  }

  /** Insert an entry before the one at `k`, moving the entries in front of it one place forward. */
  private insert(k: number, t: number, hash: number, text: string): void {
    if (this.head === 0) k += this.moveBack();
    const { times, hashes, texts } = this;
    const head = --this.head;
    for (let j = head; j < k - 1; j++) {
      times[j] = times[j + 1]!;
      hashes[j] = hashes[j + 1]!;
      texts[j] = texts[j + 1]!;
    }
    times[k - 1] = t;
    hashes[k - 1] = hash;
    texts[k - 1] = text;
  }

  /** Move the window to the back of the arrays, grown to twice its size first; returns how far it moved. */
  private moveBack(): number {
    const count = this.end - this.head;
    this.reserve(count);
    const { times, hashes, texts } = this;
    const shift = times.length - this.end;
    for (let j = this.end - 1; j >= this.head; j--) {
      times[j + shift] = times[j]!;
      hashes[j + shift] = hashes[j]!;
      texts[j + shift] = texts[j]!;
    }
    for (let j = this.head; j < this.head + shift && j < this.end; j++) texts[j] = '';
    this.head += shift;
    this.end += shift;
    return shift;
  }

  /** Arrays of at least twice `count` (+2) elements: room for as many entries in front as behind. */
  private reserve(count: number): void {
    const want = 2 * count + 2;
    const { times, hashes, texts } = this;
    while (times.length < want) {
      times.push(0.5);
      hashes.push(0.5);
      texts.push('');
    }
  }

  /** The public list, newest first; it stays as it is (the next change builds a new one). */
  publish(): string[] {
    if (this.pub === undefined) this.pub = this.texts.slice(this.head, this.end);
    return this.pub;
  }
}

const B36_4 = 36 ** 4;
const B36_5 = 36 ** 5;
/** Char codes of the digits 0-9a-z (the first 16 are the lowercase hex digits). */
const DIGIT = Array.from({ length: 36 }, (_, d) => d.toString(36).charCodeAt(0));

/** Elements of a new part's arrays (a new profile's first event needs one). */
const MIN_CAPACITY = 4;

/** An array of `n` doubles (elements kind: unboxed doubles from the start). */
function doubles(n: number): number[] {
  const xs = [0.5];
  while (xs.length < n) xs.push(0.5);
  return xs;
}

function strings(n: number): string[] {
  const xs = [''];
  while (xs.length < n) xs.push('');
  return xs;
}

/** The last high part (time / 36^5) an entry was written for, and its base-36 text. */
let lastHigh = -1;
let lastHigh36 = '';

/**
 * An entry's text: `base36(t)`, a dot and `hex8(hash)`. For the times the
 * fold writes (from 1970 + 700 days on), the time's high part changes once
 * every 36^5 ms (about 17 hours) and is remembered; the low 5 base-36 digits,
 * the dot and the 8 hex digits are char codes, added to the remembered high
 * part in one concatenation (where number-to-text in radix 36 and eight
 * concatenations cost about 0.2 µs per event).
 */
export function seenEntryText(t: number, hash: number): string {
  if (t < B36_5) return `${base36(t)}.${hex8(hash)}`;
  let hi = Math.floor(t / B36_5);
  let lo = t - hi * B36_5;
  if (lo < 0) {
    // The division rounded up to the next integer (t just below a multiple of 36^5).
    hi--;
    lo += B36_5;
  }
  if (hi !== lastHigh) {
    lastHigh36 = base36(hi);
    lastHigh = hi;
  }
  const d0 = Math.floor(lo / B36_4);
  const r0 = lo - d0 * B36_4;
  const d1 = Math.floor(r0 / 46656);
  const r1 = r0 - d1 * 46656;
  const d2 = Math.floor(r1 / 1296);
  const r2 = r1 - d2 * 1296;
  const d3 = Math.floor(r2 / 36);
  const d4 = r2 - d3 * 36;
  return (
    lastHigh36 +
    String.fromCharCode(
      DIGIT[d0]!,
      DIGIT[d1]!,
      DIGIT[d2]!,
      DIGIT[d3]!,
      DIGIT[d4]!,
      46, // '.'
      DIGIT[(hash >>> 28) & 15]!,
      DIGIT[(hash >>> 24) & 15]!,
      DIGIT[(hash >>> 20) & 15]!,
      DIGIT[(hash >>> 16) & 15]!,
      DIGIT[(hash >>> 12) & 15]!,
      DIGIT[(hash >>> 8) & 15]!,
      DIGIT[(hash >>> 4) & 15]!,
      DIGIT[hash & 15]!,
    )
  );
}

/**
 * Whether an entry is spelled as the fold would write it: a base-36 time
 * without a leading zero, a dot, 8 lowercase hex digits.
 */
function isCanonical(entry: string, dot: number): boolean {
  if (dot < 1 || entry.length !== dot + 9) return false;
  if (dot > 1 && entry.charCodeAt(0) === 48) return false;
  for (let i = 0; i < entry.length; i++) {
    if (i === dot) continue;
    const c = entry.charCodeAt(i);
    const digit = c >= 48 && c <= 57;
    const letter = i < dot ? c >= 97 && c <= 122 : c >= 97 && c <= 102;
    if (!(digit || letter)) return false;
  }
  return Number.parseInt(entry.slice(0, dot), 36) <= Number.MAX_SAFE_INTEGER;
}

/** The hash the fold dedupes an event id by. */
export function eventIdHash(id: unknown): number {
  return fnv1a32Number(String(id));
}
