/**
 * Traffic over time in a fixed ring of buckets (one per second, or per 10
 * seconds): page views, accepted events, and a latency histogram per bucket
 * whose quantiles are the p50 and p99 the dashboard draws. A slot is reused
 * when its time comes round again, so memory stays fixed however long the
 * node runs; a bucket the node was up without traffic reads 0, one before
 * `since` is not in the series.
 * @module
 */
import type { SeriesJson } from './live-series-json.js';

/** Latency buckets: upper bounds in ms, ×1.2 apart from 10 µs to a minute (a quantile is within 20%). */
const BOUNDS: number[] = [];
for (let b = 0.01; b < 60_000; b *= 1.2) BOUNDS.push(b);
BOUNDS.push(Number.POSITIVE_INFINITY);

/** The latency bucket a reply time (ms) falls in: the first bound at or above it. */
export function boundIndex(ms: number): number {
  let lo = 0;
  let hi = BOUNDS.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ms <= BOUNDS[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** One step of the ring: its counts and latency histogram. */
export interface Bucket {
  /** Bucket number: epoch ms / step. */
  n: number;
  pages: number;
  events: number;
  latency: Uint32Array;
}

/** A fixed ring of `size` buckets of `stepMs` each; a slot is reused when its time comes round again. */
export class TrafficRing {
  private readonly slots: Bucket[];
  constructor(
    readonly size: number,
    readonly stepMs: number,
  ) {
    this.slots = Array.from({ length: size }, () => ({
      n: -1,
      pages: 0,
      events: 0,
      latency: new Uint32Array(BOUNDS.length),
    }));
  }

  at(now: number): Bucket {
    const n = Math.floor(now / this.stepMs);
    const slot = this.slots[n % this.size]!;
    if (slot.n !== n) {
      slot.n = n;
      slot.pages = 0;
      slot.events = 0;
      slot.latency.fill(0);
    }
    return slot;
  }

  /** The buckets from the one holding `since` (or the ring's depth) to now's, oldest first. */
  series(now: number, since: number): SeriesJson {
    const last = Math.floor(now / this.stepMs);
    const first = Math.max(last - this.size + 1, Math.floor(since / this.stepMs));
    const out: SeriesJson = {
      stepSeconds: this.stepMs / 1000,
      t: [],
      pages: [],
      events: [],
      p50: [],
      p99: [],
    };
    for (let n = first; n <= last; n++) {
      const slot = this.slots[n % this.size]!;
      const live = slot.n === n;
      const seconds = this.stepMs / 1000;
      out.t.push((n * this.stepMs) / 1000);
      out.pages.push(live ? slot.pages / seconds : 0);
      out.events.push(live ? slot.events / seconds : 0);
      out.p50.push(live ? quantile(slot.latency, 0.5) : null);
      out.p99.push(live ? quantile(slot.latency, 0.99) : null);
    }
    return out;
  }
}

/** The upper bound of the bucket holding quantile `q`, in ms; null with no samples. */
function quantile(h: Uint32Array, q: number): number | null {
  let total = 0;
  for (const c of h) total += c;
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < h.length; i++) {
    seen += h[i]!;
    if (seen >= rank) return Number.isFinite(BOUNDS[i]!) ? Math.round(BOUNDS[i]! * 1000) / 1000 : 60_000;
  }
  return null;
}
