/**
 * The tracer port: a request's trace as the engine sees it. The core records
 * no span itself and imports no tracing library: it hands a host the
 * request's stages (the Server-Timing names, with the engine's perf-clock
 * times it already measured) and a few attributes, and the host's adapter
 * turns them into spans (OpenTelemetry: src/observe/tracing.ts). A host
 * without a tracer gets none: no trace object exists, nothing is recorded.
 * @module
 */
import type { RequestLike } from './context.js';
import type { EngineObserver } from './observer.js';

export type TraceValue = string | number | boolean;

/** One request's trace while it runs. Times are the engine's `perf` clock (ms). */
export interface RequestTrace {
  /** A stage ran from `start` to `end`: a child span of the request's. */
  stage(name: string, start: number, end: number): void;
  /** An attribute of the request's span (`tessera.variant`, `tessera.profile.source`, ...). */
  attribute(key: string, value: TraceValue): void;
  /** The reply is ready: its route label and status; `end` closes the request's span. */
  end(route: string, status: number, end: number): void;
}

export interface EngineTracer {
  /**
   * A request starts at perf time `start`. The adapter reads its parent from
   * the request's headers (W3C `traceparent`).
   */
  begin(req: RequestLike, start: number): RequestTrace;
}

/**
 * Attribute names, shared by the engine and the adapters' tests. Counts of
 * `/collect` outcomes go under `tessera.ingest.<outcome>`.
 */
export const TRACE_ATTRIBUTES = {
  variant: 'tessera.variant',
  profileSource: 'tessera.profile.source',
  segments: 'tessera.segments',
  /** One attribute per experiment: `tessera.experiment.<id>` = the arm. */
  experimentPrefix: 'tessera.experiment.',
  ingestPrefix: 'tessera.ingest.',
} as const;

/**
 * `observer` that also counts `/collect` outcomes on the request's span
 * (`tessera.ingest.accepted` = 3, ...), for the one request being handled.
 */
export function tracingObserver(observer: EngineObserver, trace: RequestTrace): EngineObserver {
  const counts = new Map<string, number>();
  return {
    ...observer,
    ingest(outcome, events, reason) {
      observer.ingest(outcome, events, reason);
      const n = (counts.get(outcome) ?? 0) + events;
      counts.set(outcome, n);
      trace.attribute(`${TRACE_ATTRIBUTES.ingestPrefix}${outcome}`, n);
    },
  };
}
