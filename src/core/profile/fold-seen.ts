/**
 * The `seen` list as the fold keeps it between events: the entries' clock
 * times and hashes as numbers (ordering and dedupe without parsing text),
 * the entry strings beside them (shared with the last snapshot until the
 * next change).
 * @module
 */
import { insertAt, insertedCopy } from './fold-components.js';
import { fnv1a32Number, hex8 } from './hash.js';
import { base36 } from './seen.js';

export class SeenPart {
  /**
   * The entries' times and hashes, oldest first: the reverse of `entries`, so
   * the usual event (the newest yet) is a push, and dropping the oldest a shift.
   */
  private times: number[] = [];
  private hashes: number[] = [];
  /** Newest first, distinct; see compareSeen in seen.ts. */
  private entries: string[] = [];
  /** `entries` is a snapshot's: copy it before changing it. */
  private shared = false;
  private lastTime = Number.NaN;
  /** The entry prefix of `lastTime`: its base-36 text and the dot. */
  private lastTime36 = '';

  constructor(private readonly limit: number) {}

  /** The list of a profile in normal form; shares the array. */
  static of(seen: string[], limit: number): SeenPart {
    const part = new SeenPart(limit);
    part.entries = seen;
    part.shared = true;
    for (let i = seen.length - 1; i >= 0; i--) {
      const entry = seen[i]!;
      const dot = entry.indexOf('.');
      part.times.push(Number.parseInt(entry.slice(0, dot), 36));
      part.hashes.push(Number.parseInt(entry.slice(dot + 1), 16));
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
    for (let i = 0; i < hashes.length; i++) if (hashes[i] === hash) return true;
    return false;
  }

  /** Record an applied event id's hash, at node time `p`; the hash must not be seen yet. */
  add(p: number, hash: number): void {
    const t = Math.max(0, Math.floor(p));
    if (t !== this.lastTime) {
      this.lastTime = t;
      this.lastTime36 = `${base36(t)}.`;
    }
    const entry = this.lastTime36 + hex8(hash);
    const { times, hashes, entries } = this;
    const n = times.length;
    // `i`: where the entry goes in `entries`, newest first, then by the entry's text (equal times only: rare).
    let i = 0;
    while (i < n && (times[n - 1 - i]! > t || (times[n - 1 - i] === t && entries[i]! < entry))) i++;
    if (i < n && times[n - 1 - i] === t && entries[i] === entry) return;
    if (i >= this.limit) return; // older than everything kept: dropped at once
    if (this.shared) {
      // The snapshot keeps the old array; the new one is made at its final size.
      this.entries = insertedCopy(entries, i, entry, this.limit);
      this.shared = false;
    } else {
      insertAt(entries, i, entry);
      if (entries.length > this.limit) entries.pop();
    }
    insertAt(times, n - i, t);
    insertAt(hashes, n - i, hash);
    if (times.length > this.limit) {
      times.shift();
      hashes.shift();
    }
  }

  /** The public list; it stays as it is (the next change copies it). */
  publish(): string[] {
    this.shared = true;
    return this.entries;
  }
}

/** The hash the fold dedupes an event id by. */
export function eventIdHash(id: unknown): number {
  return fnv1a32Number(String(id));
}
