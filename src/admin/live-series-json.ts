/**
 * The shape of `GET /admin/api/live` (live-api.ts): what the live series
 * (live-series.ts) sends the dashboard's charts. Rates are per second,
 * latencies in ms, times epoch seconds; `null` is a gap (nothing measured),
 * never a 0.
 * @module
 */

/** One resolution of the series; rates per second, latencies in ms (`null`: nothing measured). */
export interface SeriesJson {
  stepSeconds: number;
  /** Bucket start, epoch seconds. */
  t: number[];
  /** Page views (decisions) per second. */
  pages: number[];
  /** Accepted events per second. */
  events: number[];
  p50: Array<number | null>;
  p99: Array<number | null>;
}

/** One experiment arm over time: cumulative rates among its exposed visitors (null before any). */
export interface ArmSeriesJson {
  experiment: string;
  arm: string;
  exposed: number[];
  ctr: Array<number | null>;
  conversion: Array<number | null>;
  /** The conversion's 95% Wilson interval. */
  conversionLo: Array<number | null>;
  conversionHi: Array<number | null>;
}

export interface ModelSwapJson {
  /** Epoch seconds. */
  t: number;
  version: string;
  /** A return to a version this node served before (what a rollback looks like from here). */
  rollback: boolean;
}

/** Distinct visitors per segment among page decisions, per 10 seconds (the hour's busiest segments). */
export interface SegmentSeriesJson {
  stepSeconds: number;
  /** Bucket start, epoch seconds (the per-10-second series' own). */
  t: number[];
  series: Array<{ segment: string; visitors: number[] }>;
}

export interface LiveJson {
  node: string;
  /** Epoch seconds: now and when this series began (the node's or isolate's start). */
  now: number;
  since: number;
  perSecond: SeriesJson;
  per10s: SeriesJson;
  arms: { t: number[]; series: ArmSeriesJson[] };
  segments: SegmentSeriesJson;
  models: { current: string | null; swaps: number; rollbacks: number; recent: ModelSwapJson[] };
}
