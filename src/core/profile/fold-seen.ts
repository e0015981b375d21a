/**
 * The `seen` list as the fold keeps it between events: the entries' clock
 * times and hashes as numbers, and their text built only when a snapshot
 * publishes the list (a batch of events builds each entry once, at the end).
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
   * The entries' times, hashes and texts (undefined: not built yet), oldest
   * first: the reverse of the public list, so the usual event (the newest
   * yet) is a push. The live elements start at `base`: dropping the oldest
   * moves `base` on, and the arrays are compacted once every `limit` drops.
   */
  private times: number[] = [];
  private hashes: number[] = [];
  private texts: (string | undefined)[] = [];
  private base = 0;
  /** Every entry is spelled canonically: order by numbers alone. */
  private canonical = true;
  /** The public list while the part is unchanged since it was built. */
  private pub: string[] | undefined;

  constructor(private readonly limit: number) {}

  /** The list of a profile in normal form; shares the array. */
  static of(seen: string[], limit: number): SeenPart {
    const part = new SeenPart(limit);
    part.pub = seen;
    for (let i = seen.length - 1; i >= 0; i--) {
      const entry = seen[i]!;
      const dot = entry.indexOf('.');
      part.times.push(Number.parseInt(entry.slice(0, dot), 36));
      part.hashes.push(Number.parseInt(entry.slice(dot + 1), 16));
      part.texts.push(entry);
      if (!isCanonical(entry, dot)) part.canonical = false;
    }
    return part;
  }

  /**
   * Whether an event id's hash is in the list. The list is bounded (32
   * entries) and its hashes are unboxed numbers, so this scan is constant
   * time and faster than keeping a hash map of them in step.
   */
  has(hash: number): boolean {
    const { hashes } = this;
    for (let i = this.base; i < hashes.length; i++) if (hashes[i] === hash) return true;
    return false;
  }

  /** Record an applied event id's hash, at node time `p`; the hash must not be seen yet. */
  add(p: number, hash: number): void {
    const t = Math.max(0, Math.floor(p));
    const { times, hashes, texts } = this;
    const n = times.length;
    const count = n - this.base;
    // `i`: where the entry goes in the public list, newest first (element n - 1 - i here).
    let i = 0;
    let text: string | undefined;
    if (this.canonical) {
      while (i < count && (times[n - 1 - i]! > t || (times[n - 1 - i] === t && hashes[n - 1 - i]! < hash)))
        i++;
      if (i < count && times[n - 1 - i] === t && hashes[n - 1 - i] === hash) return;
    } else {
      text = this.entryText(t, hash);
      while (
        i < count &&
        (times[n - 1 - i]! > t || (times[n - 1 - i] === t && this.textAt(n - 1 - i) < text))
      )
        i++;
      if (i < count && times[n - 1 - i] === t && this.textAt(n - 1 - i) === text) return;
    }
    if (i >= this.limit) return; // older than everything kept: dropped at once
    this.insert(n - i, t, hash, text);
    if (count + 1 > this.limit) this.dropOldest();
    this.pub = undefined;
  }

  /** Insert an entry at element `k` of the three arrays (the usual event: a push), in one loop. */
  private insert(k: number, t: number, hash: number, text: string | undefined): void {
    const { times, hashes, texts } = this;
    times.push(t);
    hashes.push(hash);
    texts.push(text);
    for (let j = times.length - 1; j > k; j--) {
      times[j] = times[j - 1]!;
      hashes[j] = hashes[j - 1]!;
      texts[j] = texts[j - 1];
    }
    times[k] = t;
    hashes[k] = hash;
    texts[k] = text;
  }

  /** The public list, newest first; it stays as it is (the next change builds a new one). */
  publish(): string[] {
    if (this.pub !== undefined) return this.pub;
    const { texts } = this;
    const n = texts.length;
    const out = new Array<string>(n - this.base);
    for (let i = 0; i < out.length; i++) out[i] = texts[n - 1 - i] ?? this.textAt(n - 1 - i);
    this.pub = out;
    return out;
  }

  private dropOldest(): void {
    const { times, hashes, texts } = this;
    texts[this.base] = undefined;
    this.base++;
    if (this.base < this.limit) return;
    // Compact: move the live elements to the front, once every `limit` drops.
    const live = times.length - this.base;
    for (let i = 0; i < live; i++) {
      times[i] = times[i + this.base]!;
      hashes[i] = hashes[i + this.base]!;
      texts[i] = texts[i + this.base];
    }
    times.length = live;
    hashes.length = live;
    texts.length = live;
    this.base = 0;
  }

  /** The text of element `k`, built once. */
  private textAt(k: number): string {
    let text = this.texts[k];
    if (text === undefined) {
      text = this.entryText(this.times[k]!, this.hashes[k]!);
      this.texts[k] = text;
    }
    return text;
  }

  private entryText(t: number, hash: number): string {
    return seenEntryText(t, hash);
  }
}

const B36_4 = 36 ** 4;
const B36_5 = 36 ** 5;
/** Char codes of the digits 0-9a-z (the first 16 are the lowercase hex digits). */
const DIGIT = Array.from({ length: 36 }, (_, d) => d.toString(36).charCodeAt(0));

/** The base-36 text of the last high part (time / 36^5) an entry was written for. */
let lastHigh = -1;
let lastHigh36 = '';

/**
 * An entry's text: `base36(t)`, a dot and `hex8(hash)`. For the times the
 * fold writes (from 1970 + 700 days on), the time's high part changes once
 * every 36^5 ms (about 17 hours) and is remembered; the low 5 base-36 digits,
 * the dot and the 8 hex digits are written as one string of char codes
 * (where number-to-text in radix 36 and eight concatenations cost about
 * 0.2 µs per event).
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
