/**
 * The dashboard's live numbers: a few minutes of per-second and an hour of
 * per-10-second samples, kept in two fixed rings in memory. It is an engine
 * observer (the same calls that move `/metrics`), so it needs no scraper and
 * runs in a Worker isolate as on a Node server; the host tees it beside its
 * Prometheus observer.
 *
 * Page views are page decisions (their `context` stage); latency is the
 * reply time of every request outside Tessera's own routes (`/collect`,
 * `/admin`, `/metrics`, …), so a site asset the engine serves (the demo's
 * `/shop.css`) is in the latency but not in the page views.
 *
 * Honest about zero: a second the node was up without traffic reads 0 pages,
 * a second before it started is not in the series at all, and a latency or a
 * rate with nothing to measure is `null` (a gap in the chart, never a 0).
 *
 * Segment sizes are distinct visitors per segment among the page decisions
 * of each 10 seconds (the decision's segment ids, from the same observer);
 * a visitor without consent has no id and counts once per page. The top
 * segments of the hour are sent.
 *
 * Per-arm CTR and conversion are the experiment ledger's cumulative counts
 * (unique visitors exposed, who clicked a recommendation, who bought), read
 * once per 10-second bucket while requests come in, so they are the numbers
 * the experiment table shows, merged across nodes, as they stood over time.
 * @module
 */
import { type LedgerState, parseCounterKey } from '../core/experiments/ledger-state.js';
import type { EngineObserver } from '../core/observer.js';

/** Route labels that are not a page view (see `routeLabel`). */
const NOT_PAGES = new Set([
  '/collect',
  '/health',
  '/ready',
  '/metrics',
  '/tessera.js',
  '/admin',
  '/admin/api',
  '/privacy',
  '/_tessera',
]);

/** Latency buckets: upper bounds in ms, ×1.2 apart from 10 µs to a minute (a quantile is within 20%). */
const BOUNDS: number[] = [];
for (let b = 0.01; b < 60_000; b *= 1.2) BOUNDS.push(b);
BOUNDS.push(Number.POSITIVE_INFINITY);

function boundIndex(ms: number): number {
  let lo = 0;
  let hi = BOUNDS.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ms <= BOUNDS[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

interface Bucket {
  /** Bucket number: epoch ms / step. */
  n: number;
  pages: number;
  events: number;
  latency: Uint32Array;
}

/** A fixed ring of `size` buckets of `stepMs` each; a slot is reused when its time comes round again. */
class Ring {
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

export interface LiveSeries {
  /** The observer calls that feed the series (tee them with the host's metrics observer). */
  readonly observer: Pick<EngineObserver, 'request' | 'stage' | 'segments' | 'ingest' | 'modelSwap'>;
  /** Where the per-arm counts come from (the engine's experiment ledger), once the engine exists. */
  readLedger(read: () => LedgerState): void;
  snapshot(node: string): LiveJson;
}

const PER_SECOND = 300; // five minutes
const PER_10S = 360; // an hour
const ARM_SAMPLES = 360;
const RECENT_SWAPS = 20;
const TOP_SEGMENTS = 8;
/** Visitor-segment pairs remembered in one 10 s bucket; past it (a flood), pages count without the dedupe. */
const SEEN_MAX = 200_000;

/** Per 10-second bucket: visitors per segment (the `seen` set only for the current bucket). */
class SegmentRing {
  private readonly slots = Array.from({ length: PER_10S }, () => ({
    n: -1,
    counts: new Map<string, number>(),
  }));
  private seenN = -1;
  private readonly seen = new Set<string>();

  add(now: number, ids: readonly string[], visitor: string | undefined): void {
    const n = Math.floor(now / 10_000);
    const slot = this.slots[n % PER_10S]!;
    if (slot.n !== n) {
      slot.n = n;
      slot.counts.clear();
    }
    if (this.seenN !== n) {
      this.seenN = n;
      this.seen.clear();
    }
    for (const id of ids) {
      if (visitor !== undefined && this.seen.size < SEEN_MAX) {
        const pair = `${id}\u0000${visitor}`;
        if (this.seen.has(pair)) continue;
        this.seen.add(pair);
      }
      slot.counts.set(id, (slot.counts.get(id) ?? 0) + 1);
    }
  }

  series(now: number, since: number): SegmentSeriesJson {
    const last = Math.floor(now / 10_000);
    const first = Math.max(last - PER_10S + 1, Math.floor(since / 10_000));
    const t: number[] = [];
    const totals = new Map<string, number>();
    for (let n = first; n <= last; n++) {
      t.push(n * 10);
      const slot = this.slots[n % PER_10S]!;
      if (slot.n === n) for (const [id, c] of slot.counts) totals.set(id, (totals.get(id) ?? 0) + c);
    }
    const top = [...totals.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, TOP_SEGMENTS)
      .map(([id]) => id);
    const series = top.map((segment) => {
      const visitors: number[] = [];
      for (let n = first; n <= last; n++) {
        const slot = this.slots[n % PER_10S]!;
        visitors.push(slot.n === n ? (slot.counts.get(segment) ?? 0) : 0);
      }
      return { segment, visitors };
    });
    return { stepSeconds: 10, t, series };
  }
}

interface ArmCounts {
  exposed: number;
  clicked: number;
  converted: number;
}

function armTotals(state: LedgerState): Map<string, ArmCounts> {
  const out = new Map<string, ArmCounts>();
  for (const [key, counter] of Object.entries(state.counters)) {
    const a = parseCounterKey(key);
    if (!a || (a.counter !== 'exposed' && a.counter !== 'clicked' && a.counter !== 'converted')) continue;
    const id = JSON.stringify([a.experiment, a.arm]);
    let c = out.get(id);
    if (!c) {
      c = { exposed: 0, clicked: 0, converted: 0 };
      out.set(id, c);
    }
    for (const v of Object.values(counter)) c[a.counter] += v;
  }
  return out;
}

/** Wilson score interval at 95%. */
function wilson(k: number, n: number): [number, number] {
  const z = 1.96;
  const p = k / n;
  const d = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / d;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

export function createLiveSeries(opts: { now?: () => number } = {}): LiveSeries {
  const now = opts.now ?? Date.now;
  const since = now();
  const seconds = new Ring(PER_SECOND, 1000);
  const tens = new Ring(PER_10S, 10_000);
  const segmentRing = new SegmentRing();
  let ledger: (() => LedgerState) | undefined;
  const armSamples: Array<{ t: number; totals: Map<string, ArmCounts> }> = [];
  let lastArmSample = -1;
  const served = new Set<string>();
  let current: string | null = null;
  let swaps = 0;
  let rollbacks = 0;
  const recent: ModelSwapJson[] = [];

  /**
   * Traffic reads the ledger once per 10-second bucket (its first request);
   * a dashboard read (`refresh`) reads it again, so the newest point is now's.
   */
  function sampleArms(t: number, refresh = false): void {
    const n = Math.floor(t / 10_000);
    if (!ledger || (n === lastArmSample && !refresh)) return;
    const sample = { t: n * 10, totals: armTotals(ledger()) };
    if (n === lastArmSample) armSamples[armSamples.length - 1] = sample;
    else armSamples.push(sample);
    lastArmSample = n;
    if (armSamples.length > ARM_SAMPLES) armSamples.shift();
  }

  function armsJson(): LiveJson['arms'] {
    const ids = new Set<string>();
    for (const s of armSamples) for (const id of s.totals.keys()) ids.add(id);
    const series = [...ids].sort().map((id): ArmSeriesJson => {
      const [experiment, arm] = JSON.parse(id) as [string, string];
      const s: ArmSeriesJson = {
        experiment,
        arm,
        exposed: [],
        ctr: [],
        conversion: [],
        conversionLo: [],
        conversionHi: [],
      };
      for (const sample of armSamples) {
        const c = sample.totals.get(id);
        const n = c?.exposed ?? 0;
        s.exposed.push(n);
        if (!c || n === 0) {
          for (const k of ['ctr', 'conversion', 'conversionLo', 'conversionHi'] as const) s[k].push(null);
          continue;
        }
        const [lo, hi] = wilson(Math.min(c.converted, n), n);
        s.ctr.push(Math.min(c.clicked, n) / n);
        s.conversion.push(Math.min(c.converted, n) / n);
        s.conversionLo.push(lo);
        s.conversionHi.push(hi);
      }
      return s;
    });
    return { t: armSamples.map((s) => s.t), series };
  }

  return {
    observer: {
      request(route, _status, secs) {
        if (NOT_PAGES.has(route)) return;
        const t = now();
        const i = boundIndex(secs * 1000);
        seconds.at(t).latency[i]!++;
        tens.at(t).latency[i]!++;
        sampleArms(t);
      },
      stage(stage) {
        // Every page decision closes its stages once, `context` first: one page view.
        if (stage !== 'context') return;
        const t = now();
        seconds.at(t).pages++;
        tens.at(t).pages++;
      },
      segments(ids, visitor) {
        if (ids.length > 0) segmentRing.add(now(), ids, visitor);
      },
      ingest(outcome, events) {
        if (outcome !== 'accepted') return;
        const t = now();
        seconds.at(t).events += events;
        tens.at(t).events += events;
        sampleArms(t);
      },
      modelSwap(version) {
        if (version === current) return;
        const rollback = served.has(version);
        served.add(version);
        current = version;
        swaps++;
        if (rollback) rollbacks++;
        recent.push({ t: Math.floor(now() / 1000), version, rollback });
        if (recent.length > RECENT_SWAPS) recent.shift();
      },
    },
    readLedger(read) {
      ledger = read;
    },
    snapshot(node) {
      const t = now();
      sampleArms(t, true);
      return {
        node,
        now: t / 1000,
        since: since / 1000,
        perSecond: seconds.series(t, since),
        per10s: tens.series(t, since),
        arms: armsJson(),
        segments: segmentRing.series(t, since),
        models: { current, swaps, rollbacks, recent: [...recent] },
      };
    },
  };
}

/** An observer that calls both: the host's metrics and the live series. */
export function teeObserver(
  a: Partial<EngineObserver> | undefined,
  b: Partial<EngineObserver>,
): Partial<EngineObserver> {
  if (!a) return b;
  const out: Partial<EngineObserver> = { ...a };
  for (const k of Object.keys(b) as Array<keyof EngineObserver>) {
    const fa = a[k] as ((...args: unknown[]) => void) | undefined;
    const fb = b[k] as (...args: unknown[]) => void;
    (out as Record<string, (...args: unknown[]) => void>)[k] = fa
      ? (...args) => {
          fa(...args);
          fb(...args);
        }
      : fb;
  }
  return out;
}
