/**
 * Segment sizes over time: distinct visitors per segment among the page
 * decisions of each 10 seconds, kept in a fixed ring (an hour of them), and the
 * hour's busiest segments as series. A visitor without consent has no id and
 * counts once per page; past `SEEN_MAX` pairs in one bucket (a flood), pages
 * count without the dedupe rather than grow memory.
 * @module
 */
import type { SegmentSeriesJson } from './live-series-json.js';

const TOP_SEGMENTS = 8;
/** Visitor-segment pairs remembered in one 10 s bucket; past it (a flood), pages count without the dedupe. */
const SEEN_MAX = 200_000;

/** Per 10-second bucket: visitors per segment (the `seen` set only for the current bucket). */
export class SegmentRing {
  private readonly slots: Array<{ n: number; counts: Map<string, number> }>;
  private seenN = -1;
  /** Visitor → the segments counted for them in the current bucket (no pair string made per page). */
  private readonly seen = new Map<string, Set<string>>();
  /** Visitor-segment pairs in `seen`. */
  private seenPairs = 0;

  /** `size`: how many 10-second buckets are kept (the per-10-second traffic ring's depth, so the times line up). */
  constructor(readonly size: number) {
    this.slots = Array.from({ length: size }, () => ({ n: -1, counts: new Map<string, number>() }));
  }

  add(now: number, ids: readonly string[], visitor: string | undefined): void {
    const n = Math.floor(now / 10_000);
    const slot = this.slots[n % this.size]!;
    if (slot.n !== n) {
      slot.n = n;
      slot.counts.clear();
    }
    if (this.seenN !== n) {
      this.seenN = n;
      this.seen.clear();
      this.seenPairs = 0;
    }
    let counted = visitor === undefined ? undefined : this.seen.get(visitor);
    for (const id of ids) {
      if (visitor !== undefined && this.seenPairs < SEEN_MAX) {
        if (counted === undefined) {
          counted = new Set();
          this.seen.set(visitor, counted);
        } else if (counted.has(id)) continue;
        counted.add(id);
        this.seenPairs++;
      }
      slot.counts.set(id, (slot.counts.get(id) ?? 0) + 1);
    }
  }

  series(now: number, since: number): SegmentSeriesJson {
    const last = Math.floor(now / 10_000);
    const first = Math.max(last - this.size + 1, Math.floor(since / 10_000));
    const t: number[] = [];
    const totals = new Map<string, number>();
    for (let n = first; n <= last; n++) {
      t.push(n * 10);
      const slot = this.slots[n % this.size]!;
      if (slot.n === n) for (const [id, c] of slot.counts) totals.set(id, (totals.get(id) ?? 0) + c);
    }
    const top = [...totals.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, TOP_SEGMENTS)
      .map(([id]) => id);
    const series = top.map((segment) => {
      const visitors: number[] = [];
      for (let n = first; n <= last; n++) {
        const slot = this.slots[n % this.size]!;
        visitors.push(slot.n === n ? (slot.counts.get(segment) ?? 0) : 0);
      }
      return { segment, visitors };
    });
    return { stepSeconds: 10, t, series };
  }
}
