/**
 * Tessera's Prometheus metrics (prom-client), one registry per node: every
 * family `/metrics` shows, and the engine observer that moves them. Names
 * follow Prometheus conventions (`tessera_` prefix, `_seconds`, `_total`);
 * every label is bounded (see core/observer.ts). Node only: the core knows
 * the observer port, never this module.
 * @module
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { EngineObserver } from '../core/observer.js';
import type { Logger } from '../core/ports.js';
import { requestLogger } from '../core/request-logger.js';
import { BoundCounter, BoundHistogram } from './bound-metrics.js';

/** The ports whose calls are timed (see timed.ts). */
export type Port = 'store' | 'log' | 'bus';

export interface Metrics {
  readonly registry: Registry;
  /** What the engine calls (`EnginePorts.observer`). */
  readonly observer: EngineObserver;
  /** A store, log or bus call that took `seconds`, and whether it failed. */
  operation(port: Port, driver: string, op: string, seconds: number, failed: boolean): void;
  /** A bus message seen back `seconds` after it was published. */
  busLag(seconds: number): void;
  /** Where the spool depth is read from at scrape time. */
  readSpoolDepth(read: () => number): void;
  /** A model rollback (the model registry calls it). */
  modelRollback(): void;
  /** The share of traffic a canary model gets (0 when none). */
  canary(share: number): void;
  /** The exposition text and its content type. */
  text(): Promise<string>;
  readonly contentType: string;
}

const FAST = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
const HTTP = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export function createMetrics(opts: { logger?: Logger; processMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  const registers = [registry];
  if (opts.processMetrics !== false) collectDefaultMetrics({ register: registry });

  // The families every page request moves are bound ones (see bound-metrics.ts).
  const requests = new BoundCounter({
    name: 'tessera_http_requests_total',
    help: 'HTTP requests answered, by route and status.',
    labelNames: ['route', 'status'],
    registers,
  });
  const duration = new BoundHistogram({
    name: 'tessera_http_request_duration_seconds',
    help: 'Time from request to reply (before the body is streamed), by route and status.',
    labelNames: ['route', 'status'],
    buckets: HTTP,
    registers,
  });
  const stages = new BoundHistogram({
    name: 'tessera_decision_stage_seconds',
    help: 'Time per page decision stage (the Server-Timing names).',
    labelNames: ['stage'],
    buckets: FAST,
    registers,
  });
  const profileSources = new BoundCounter({
    name: 'tessera_profile_source_total',
    help: 'Where decisions found the visitor profile: cache, cookie, store, timeout, unavailable, none.',
    labelNames: ['source'],
    registers,
  });
  const ingest = new Counter({
    name: 'tessera_ingest_events_total',
    help: 'Collected events by outcome (accepted, rejected, deduplicated, dropped, spooled; throttled counts batches) and reason.',
    labelNames: ['outcome', 'reason'],
    registers,
  });
  // Bound too: every `/collect` times its log append and a profile write (timed.ts).
  const ops = {} as Record<Port, { seconds: BoundHistogram; errors: BoundCounter }>;
  for (const port of ['store', 'log', 'bus'] as const) {
    const what = { store: 'profile store', log: 'event log', bus: 'bus' }[port];
    ops[port] = {
      seconds: new BoundHistogram({
        name: `tessera_${port}_operation_seconds`,
        help: `Time per ${what} call, by driver and operation.`,
        labelNames: ['driver', 'op'],
        buckets: FAST,
        registers,
      }),
      errors: new BoundCounter({
        name: `tessera_${port}_errors_total`,
        help: `Failed ${what} calls, by driver and operation.`,
        labelNames: ['driver', 'op'],
        registers,
      }),
    };
  }
  const busLag = new Histogram({
    name: 'tessera_bus_lag_seconds',
    help: "Time from publishing a bus message to seeing it delivered (a node's own messages come back).",
    buckets: HTTP,
    registers,
  });
  let spoolDepth = () => 0;
  new Gauge({
    name: 'tessera_spool_depth',
    help: 'Writes waiting in the spool for the store or log to come back.',
    registers,
    collect() {
      this.set(spoolDepth());
    },
  });
  const modelInfo = new Gauge({
    name: 'tessera_model_info',
    help: 'The model version in use (value 1).',
    labelNames: ['version'],
    registers,
  });
  const swaps = new Counter({
    name: 'tessera_model_swaps_total',
    help: 'Model versions swapped in.',
    registers,
  });
  const rollbacks = new Counter({
    name: 'tessera_model_rollbacks_total',
    help: 'Model rollbacks.',
    registers,
  });
  const canary = new Gauge({
    name: 'tessera_model_canary_share',
    help: 'Share of traffic the canary model gets (0: no canary).',
    registers,
  });
  const exposures = new Counter({
    name: 'tessera_experiment_exposures_total',
    help: 'First assignments of visitors to experiment arms.',
    labelNames: ['experiment', 'arm'],
    registers,
  });
  const conversions = new Counter({
    name: 'tessera_experiment_conversions_total',
    help: 'First conversions (purchases) of exposed visitors, by experiment and arm.',
    labelNames: ['experiment', 'arm'],
    registers,
  });
  const impressions = new BoundCounter({
    name: 'tessera_recommendation_impressions_total',
    help: 'Recommended items shown, by slot.',
    labelNames: ['slot'],
    registers,
  });
  const clicks = new Counter({
    name: 'tessera_recommendation_clicks_total',
    help: 'Clicks on recommended items, by slot.',
    labelNames: ['slot'],
    registers,
  });
  // Families without labels show 0 from the start; ingest outcomes too, so a rate() has a series.
  for (const outcome of ['accepted', 'deduplicated', 'throttled', 'spooled'])
    ingest.labels({ outcome }).inc(0);

  let version: string | undefined;
  const observer: EngineObserver = {
    request(route, status, seconds, requestId) {
      const code = String(status);
      requests.labels(route, code).inc();
      duration.labels(route, code).observe(seconds);
      // Asked first: a debug line per request, mostly not written, would bind a request logger each time.
      if (opts.logger !== undefined && opts.logger.logs?.('debug') !== false)
        requestLogger(opts.logger, requestId).debug('request', { route, status, duration_seconds: seconds });
    },
    stage: (stage, seconds) => stages.labels(stage).observe(seconds),
    // Segment sizes over time are the dashboard's (live-series.ts): no metric family for them.
    segments: () => {},
    profileSource: (source) => profileSources.labels(source).inc(),
    ingest(outcome, events, reason) {
      ingest.labels(reason === undefined ? { outcome } : { outcome, reason }).inc(events);
    },
    exposure: (experiment, arm) => exposures.labels({ experiment, arm }).inc(),
    conversion: (experiment, arm) => conversions.labels({ experiment, arm }).inc(),
    impression: (slot, items) => impressions.labels(slot).inc(items),
    click: (slot) => clicks.labels({ slot }).inc(),
    modelSwap(next) {
      if (next === version) return;
      if (version !== undefined) modelInfo.remove({ version });
      modelInfo.labels({ version: next }).set(1);
      version = next;
      swaps.inc();
    },
  };

  return {
    registry,
    observer,
    operation(port, driver, op, seconds, failed) {
      ops[port].seconds.labels(driver, op).observe(seconds);
      if (failed) ops[port].errors.labels(driver, op).inc();
    },
    busLag: (seconds) => busLag.observe(seconds),
    readSpoolDepth(read) {
      spoolDepth = read;
    },
    modelRollback: () => rollbacks.inc(),
    canary: (share) => canary.set(share),
    text: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
