/**
 * The engine's tracer port (core/tracer.ts) over an OpenTelemetry `Tracer`:
 * a SERVER span per request, its parent taken from the request's W3C
 * `traceparent`, and one child span per decision stage, made with the times
 * the engine already measured for Server-Timing. Uses @opentelemetry/api
 * only, so the same adapter serves the Node SDK (otlp-node.ts) and the
 * Worker's (otlp-fetch.ts). No context manager and no global registration:
 * parents are passed explicitly, so nothing patches the process's promises.
 * @module
 */
import {
  type Context,
  createTraceState,
  isSpanContextValid,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { RequestLike } from '../core/context.js';
import type { EngineTracer, RequestTrace, TraceValue } from '../core/tracer.js';

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * The remote parent a `traceparent` header names (W3C Trace Context, level 1),
 * with its `tracestate`; the root context when it is absent or malformed.
 */
export function parentFromHeaders(headers: RequestLike['headers']): Context {
  const raw = headers.get('traceparent');
  const m = raw ? TRACEPARENT.exec(raw.trim()) : null;
  // Version ff is invalid; version 00 has exactly four fields.
  if (!m || m[1] === 'ff' || (m[1] === '00' && m[5])) return ROOT_CONTEXT;
  const state = headers.get('tracestate');
  const parent = {
    traceId: m[2]!,
    spanId: m[3]!,
    traceFlags: Number.parseInt(m[4]!, 16) & TraceFlags.SAMPLED,
    isRemote: true,
    ...(state ? { traceState: createTraceState(state) } : {}),
  };
  return isSpanContextValid(parent) ? trace.setSpanContext(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
}

/** Epoch milliseconds of the engine's perf-clock time `t`, anchored when the request began. */
function anchorAt(start: number): number {
  return performance.timeOrigin + performance.now() - start;
}

class OtelRequestTrace implements RequestTrace {
  private children: Context | undefined;

  constructor(
    private readonly tracer: Tracer,
    private readonly span: Span,
    private readonly parent: Context,
    private readonly anchor: number,
    private readonly method: string,
  ) {}

  stage(name: string, start: number, end: number): void {
    this.children ??= trace.setSpan(this.parent, this.span);
    this.tracer
      .startSpan(name, { kind: SpanKind.INTERNAL, startTime: this.anchor + start }, this.children)
      .end(this.anchor + end);
  }

  attribute(key: string, value: TraceValue): void {
    this.span.setAttribute(key, value);
  }

  end(route: string, status: number, end: number): void {
    const span = this.span;
    span.updateName(`${this.method} ${route}`);
    span.setAttribute('http.route', route);
    span.setAttribute('http.response.status_code', status);
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end(this.anchor + end);
  }
}

/** The engine's tracer over `tracer` (from a tracer provider the host set up). */
export function otelEngineTracer(tracer: Tracer): EngineTracer {
  return {
    begin(req, start) {
      const parent = parentFromHeaders(req.headers);
      const anchor = anchorAt(start);
      const span = tracer.startSpan(
        req.method,
        {
          kind: SpanKind.SERVER,
          startTime: anchor + start,
          attributes: { 'http.request.method': req.method },
        },
        parent,
      );
      return new OtelRequestTrace(tracer, span, parent, anchor, req.method);
    },
  };
}

/**
 * The OTLP/HTTP traces URL for an endpoint as the OpenTelemetry variables give
 * it: a base (`http://collector:4318`) gets `/v1/traces`; a URL that already
 * ends in `/v1/traces` is used as it is.
 */
export function tracesUrl(endpoint: string): string {
  const base = endpoint.replace(/\/+$/, '');
  return base.endsWith('/v1/traces') ? base : `${base}/v1/traces`;
}

/** The endpoint from the environment: Tessera's own variable first, then the OpenTelemetry one. */
export function otlpEndpointFromEnv(env: Record<string, string | undefined>): string | undefined {
  const v = env.TESSERA_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  return v ? v : undefined;
}
