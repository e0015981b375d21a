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
 * Per-arm CTR and conversion are the experiment ledger's cumulative counts,
 * sampled once per 10-second bucket (live-arm-samples.ts).
 *
 * The pieces: the traffic rings (live-traffic-ring.ts), the segment ring
 * (live-segment-ring.ts), the arm samples, and the JSON they make
 * (live-series-json.ts).
 * @module
 */
import type { LedgerState } from '../core/experiments/ledger-state.js';
import type { EngineObserver } from '../core/observer.js';
import { ArmSamples } from './live-arm-samples.js';
import { SegmentRing } from './live-segment-ring.js';
import type { LiveJson, ModelSwapJson } from './live-series-json.js';
import { boundIndex, TrafficRing } from './live-traffic-ring.js';

export type {
  ArmSeriesJson,
  LiveJson,
  ModelSwapJson,
  SegmentSeriesJson,
  SeriesJson,
} from './live-series-json.js';
export { teeObserver } from './tee-observer.js';

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

export function createLiveSeries(opts: { now?: () => number } = {}): LiveSeries {
  const now = opts.now ?? Date.now;
  const since = now();
  const seconds = new TrafficRing(PER_SECOND, 1000);
  const tens = new TrafficRing(PER_10S, 10_000);
  const segmentRing = new SegmentRing(PER_10S);
  const arms = new ArmSamples(ARM_SAMPLES);
  const served = new Set<string>();
  let current: string | null = null;
  let swaps = 0;
  let rollbacks = 0;
  const recent: ModelSwapJson[] = [];

  return {
    observer: {
      request(route, _status, secs) {
        if (NOT_PAGES.has(route)) return;
        const t = now();
        const i = boundIndex(secs * 1000);
        seconds.at(t).latency[i]!++;
        tens.at(t).latency[i]!++;
        arms.sample(t);
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
        arms.sample(t);
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
      arms.readFrom(read);
    },
    snapshot(node) {
      const t = now();
      arms.sample(t, true);
      return {
        node,
        now: t / 1000,
        since: since / 1000,
        perSecond: seconds.series(t, since),
        per10s: tens.series(t, since),
        arms: arms.json(),
        segments: segmentRing.series(t, since),
        models: { current, swaps, rollbacks, recent: [...recent] },
      };
    },
  };
}
