/**
 * Spans in the OTLP/HTTP JSON encoding (ExportTraceServiceRequest): ids in
 * hex, times as decimal nanosecond strings, span kinds shifted by one (OTLP
 * counts UNSPECIFIED as 0). What the Worker's fetch exporter sends; written
 * here rather than taken from @opentelemetry/otlp-transformer, which is not
 * one of the package's dependencies, and whose Node-only parts a Worker
 * bundle must not pull in.
 * @module
 */
import type { Attributes, AttributeValue, HrTime } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

type AnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: AnyValue[] } };

function anyValue(v: AttributeValue | null | undefined): AnyValue {
  if (Array.isArray(v)) return { arrayValue: { values: v.map((x) => anyValue(x)) } };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  return { stringValue: String(v ?? '') };
}

function keyValues(attributes: Attributes): Array<{ key: string; value: AnyValue }> {
  const out: Array<{ key: string; value: AnyValue }> = [];
  for (const key in attributes) {
    const value = attributes[key];
    if (value !== undefined) out.push({ key, value: anyValue(value) });
  }
  return out;
}

function nanos([seconds, ns]: HrTime): string {
  return (BigInt(seconds) * 1_000_000_000n + BigInt(ns)).toString();
}

function spanJson(s: ReadableSpan) {
  const ctx = s.spanContext();
  return {
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    ...(s.parentSpanContext ? { parentSpanId: s.parentSpanContext.spanId } : {}),
    ...(ctx.traceState ? { traceState: ctx.traceState.serialize() } : {}),
    name: s.name,
    kind: s.kind + 1,
    startTimeUnixNano: nanos(s.startTime),
    endTimeUnixNano: nanos(s.endTime),
    attributes: keyValues(s.attributes),
    droppedAttributesCount: s.droppedAttributesCount,
    events: s.events.map((e) => ({
      timeUnixNano: nanos(e.time),
      name: e.name,
      attributes: keyValues(e.attributes ?? {}),
    })),
    status: { code: s.status.code, ...(s.status.message ? { message: s.status.message } : {}) },
  };
}

/** One export request for `spans`, grouped by resource and instrumentation scope. */
export function otlpTraceJson(spans: readonly ReadableSpan[]): string {
  const byResource = new Map<ReadableSpan['resource'], Map<string, ReadableSpan[]>>();
  for (const s of spans) {
    let scopes = byResource.get(s.resource);
    if (!scopes) {
      scopes = new Map();
      byResource.set(s.resource, scopes);
    }
    const scope = `${s.instrumentationScope.name}\n${s.instrumentationScope.version ?? ''}`;
    const list = scopes.get(scope);
    if (list) list.push(s);
    else scopes.set(scope, [s]);
  }
  const resourceSpans = [...byResource].map(([resource, scopes]) => ({
    resource: { attributes: keyValues(resource.attributes) },
    scopeSpans: [...scopes.values()].map((list) => ({
      scope: {
        name: list[0]!.instrumentationScope.name,
        ...(list[0]!.instrumentationScope.version ? { version: list[0]!.instrumentationScope.version } : {}),
      },
      spans: list.map(spanJson),
    })),
  }));
  return JSON.stringify({ resourceSpans });
}
