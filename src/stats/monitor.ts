/**
 * What the dashboard shows live: decision latency over a sliding window of
 * the last N page decisions (percentiles), and how many visitors are in
 * each segment as of their latest decision on this node.
 * @module
 */

import { sameStrings } from '../core/cache/memo-helpers.js';

export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? 0,
  };
}

export class DecisionMonitor {
  private readonly window: Float64Array;
  private next = 0;
  private filled = 0;
  private readonly latest = new Map<string, readonly string[]>();
  private readonly sizes = new Map<string, number>();

  constructor(
    size = 2048,
    private readonly maxVisitors = 200_000,
  ) {
    this.window = new Float64Array(size);
  }

  /** One page decision: its latency (ms) and the visitor's segments. */
  decision(ms: number, visitor: string | undefined, segments: readonly string[]): void {
    this.window[this.next] = ms;
    this.next = (this.next + 1) % this.window.length;
    if (this.filled < this.window.length) this.filled++;
    if (visitor === undefined) return;
    const before = this.latest.get(visitor);
    // The same segments as last time (a returning visitor's usual page): nothing moves, and the
    // array kept stays the old one (a new one held by this long-lived map would outlive its page).
    if (before !== undefined && sameStrings(before, segments)) return;
    if (before === undefined && this.latest.size >= this.maxVisitors) return;
    for (const s of before ?? []) this.sizes.set(s, (this.sizes.get(s) ?? 1) - 1);
    for (const s of segments) this.sizes.set(s, (this.sizes.get(s) ?? 0) + 1);
    this.latest.set(visitor, segments);
  }

  latency(): LatencySummary {
    return summarize(Array.from(this.window.subarray(0, this.filled)));
  }

  /** Segment → visitors whose latest decision put them in it. */
  segmentSizes(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [s, n] of this.sizes) if (n > 0) out[s] = n;
    return out;
  }

  get visitors(): number {
    return this.latest.size;
  }
}
