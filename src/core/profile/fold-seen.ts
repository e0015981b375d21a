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
import { insertAt } from './fold-components.js';
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
  private lastTime = Number.NaN;
  /** The entry prefix of `lastTime`: its base-36 text and the dot. */
  private lastTime36 = '';

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
    insertAt(times, n - i, t);
    insertAt(hashes, n - i, hash);
    insertAt(texts, n - i, text);
    if (count + 1 > this.limit) this.dropOldest();
    this.pub = undefined;
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
    if (t !== this.lastTime) {
      this.lastTime = t;
      this.lastTime36 = `${base36(t)}.`;
    }
    return this.lastTime36 + hex8(hash);
  }
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
