/**
 * Traces in a fetch runtime (the Cloudflare Worker): the OpenTelemetry trace
 * SDK (sdk-trace-base's BasicTracerProvider) with a span buffer that is sent
 * over OTLP/HTTP JSON by `fetch`, once per request, from `ctx.waitUntil`.
 *
 * Why not @microlabs/otel-cf-workers: it imports `node:async_hooks`,
 * `node:buffer` and `node:events`, so the Worker would need the
 * `nodejs_compat` flag and a build that lets `node:` imports through, while
 * Tessera's Worker build is platform-neutral and fails on any `node:` import
 * on purpose (scripts/build-worker.mjs). Its value is instrumenting the
 * runtime (fetch, KV, the handler) through a context manager; Tessera's
 * spans come from the engine's own stage timings, passed with explicit
 * parents, so the SDK's core is all it needs. Why not the SDK's batch
 * processor: its timer would fire in a later request's context, where
 * workerd forbids I/O for another request; and the official OTLP exporter's
 * browser build sends with XHR or sendBeacon, which a Worker does not have.
 * @module
 */
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { EngineTracer } from '../core/tracer.js';
import { otlpTraceJson } from './otlp-json.js';
import { otelEngineTracer, tracesUrl } from './tracing.js';

export interface FetchTracingOptions {
  /** OTLP/HTTP endpoint: a base URL or the full `/v1/traces` URL. */
  endpoint: string;
  /** `service.instance.id`. */
  nodeId: string;
  serviceName?: string;
  /** Extra request headers (an API key), as `OTEL_EXPORTER_OTLP_HEADERS` writes them: `k1=v1,k2=v2`. */
  headers?: string;
  /** Most spans held between flushes (default 2048); past it, new spans are dropped and counted. */
  maxQueued?: number;
  fetch?: typeof fetch;
}

export interface FetchTracing {
  tracer: EngineTracer;
  /** Send the spans ended so far (one POST); for `ctx.waitUntil` after each response. */
  flush(): Promise<void>;
  /** Spans dropped: the queue was full, or the collector refused or could not be reached. */
  dropped(): number;
}

/** `k1=v1,k2=v2` (values URL-encoded, as the OpenTelemetry variable has them) → headers. */
export function parseOtlpHeaders(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (raw ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    out[decodeURIComponent(pair.slice(0, at).trim())] = decodeURIComponent(pair.slice(at + 1).trim());
  }
  return out;
}

export function startFetchTracing(o: FetchTracingOptions): FetchTracing {
  const url = tracesUrl(o.endpoint);
  const headers = { 'content-type': 'application/json', ...parseOtlpHeaders(o.headers) };
  const send = o.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const maxQueued = o.maxQueued ?? 2048;
  let queue: ReadableSpan[] = [];
  let dropped = 0;
  const buffer: SpanProcessor = {
    onStart() {},
    onEnd(span) {
      if (queue.length < maxQueued) queue.push(span);
      else dropped++;
    },
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': o.serviceName ?? 'tessera',
      'service.instance.id': o.nodeId,
    }),
    spanProcessors: [buffer],
  });
  return {
    tracer: otelEngineTracer(provider.getTracer('tessera')),
    async flush() {
      if (queue.length === 0) return;
      const spans = queue;
      queue = [];
      try {
        const res = await send(url, { method: 'POST', headers, body: otlpTraceJson(spans) });
        // The body is read so the connection is released; its content does not matter.
        await res.arrayBuffer();
        if (!res.ok) dropped += spans.length;
      } catch {
        dropped += spans.length;
      }
    },
    dropped: () => dropped,
  };
}
