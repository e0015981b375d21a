/**
 * Traces on Node: the OpenTelemetry Node SDK (sdk-trace-node) with a batch
 * span processor and the OTLP/HTTP exporter (JSON), set up only when an
 * endpoint is configured. The SDK is imported here and nowhere else, and
 * this module itself is imported lazily (`import()` in the Node app), so a
 * node without an endpoint loads no tracing code and makes no spans.
 *
 * The exporter also reads the standard variables for what Tessera has no
 * flag for: `OTEL_EXPORTER_OTLP_HEADERS` (an API key), `OTEL_EXPORTER_OTLP_TIMEOUT`.
 * @module
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { EngineTracer } from '../core/tracer.js';
import { otelEngineTracer, tracesUrl } from './tracing.js';

export interface NodeTracingOptions {
  /** OTLP/HTTP endpoint: a base URL (`http://collector:4318`) or the full `/v1/traces` URL. */
  endpoint: string;
  /** `service.instance.id`: the node id. */
  nodeId: string;
  /** `service.name` (default `tessera`, or `OTEL_SERVICE_NAME`). */
  serviceName?: string;
  /** How long spans wait to be sent in one batch (ms, default 1000). */
  scheduledDelayMillis?: number;
}

export interface NodeTracing {
  tracer: EngineTracer;
  /** Send the spans that are waiting now. */
  flush(): Promise<void>;
  /** Send what is waiting and stop. */
  shutdown(): Promise<void>;
}

export function startNodeTracing(o: NodeTracingOptions): NodeTracing {
  const exporter = new OTLPTraceExporter({ url: tracesUrl(o.endpoint) });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      'service.name': o.serviceName ?? process.env.OTEL_SERVICE_NAME ?? 'tessera',
      'service.instance.id': o.nodeId,
    }),
    spanProcessors: [
      new BatchSpanProcessor(exporter, { scheduledDelayMillis: o.scheduledDelayMillis ?? 1000 }),
    ],
  });
  return {
    tracer: otelEngineTracer(provider.getTracer('tessera')),
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
