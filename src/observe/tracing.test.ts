import { join } from 'node:path';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../core/engine.js';
import { parseSiteConfig } from '../core/segments/index.js';
import type { EngineTracer, RequestTrace, TraceValue } from '../core/tracer.js';
import { createMemoryStore } from '../profiles/memory.js';
import { loadSite, packageRoot } from '../runtimes/node/app.js';
import { createNodeRewriter } from '../runtimes/node/html-rewriter.js';
import { buildModel } from '../train/build-model.js';
import { otlpTraceJson } from './otlp-json.js';
import { otelEngineTracer, otlpEndpointFromEnv, parentFromHeaders, tracesUrl } from './tracing.js';

interface Recorded {
  start: number;
  stages: Array<{ name: string; start: number; end: number }>;
  attributes: Record<string, TraceValue>;
  end?: { route: string; status: number; at: number };
}

function recordingTracer(): { tracer: EngineTracer; traces: Recorded[] } {
  const traces: Recorded[] = [];
  return {
    traces,
    tracer: {
      begin(_req, start): RequestTrace {
        const r: Recorded = { start, stages: [], attributes: {} };
        traces.push(r);
        return {
          stage: (name, s, e) => r.stages.push({ name, start: s, end: e }),
          attribute: (k, v) => {
            r.attributes[k] = v;
          },
          end: (route, status, at) => {
            r.end = { route, status, at };
          },
        };
      },
    },
  };
}

async function shopEngine(tracer?: EngineTracer) {
  const shop = await loadSite(join(packageRoot, 'examples/shop'));
  const store = createMemoryStore();
  const engine = createEngine(
    {
      site: parseSiteConfig(shop.site),
      catalog: shop.catalog,
      settings: { secret: 'tracing-unit-secret-tracing-unit-secret', consentMode: 'opt-out' },
    },
    {
      profiles: store.profiles,
      events: store.events,
      rewriter: createNodeRewriter,
      origin: { render: async (p) => shop.render(p) },
      ...(tracer ? { tracer } : {}),
    },
  );
  engine.models.swap((await buildModel({ catalog: shop.catalog, events: [] })).artifact);
  return engine;
}

describe('the engine and its tracer port', () => {
  it('tells the tracer a page: the Server-Timing stages back to back inside the request, and the decision', async () => {
    const { tracer, traces } = recordingTracer();
    const engine = await shopEngine(tracer);
    const res = await engine.fetch(new Request('http://shop.test/'));
    await res.text();
    expect(traces).toHaveLength(1);
    const t = traces[0]!;
    const timed = res.headers
      .get('server-timing')!
      .split(', ')
      .map((p) => p.split(';')[0])
      .filter((n) => n !== 'total' && n !== 'profile-src');
    expect(t.stages.map((s) => s.name)).toEqual(timed);
    for (const stage of ['context', 'profile', 'segments', 'experiments', 'recommend', 'assemble'])
      expect(timed).toContain(stage);
    for (let i = 1; i < t.stages.length; i++) expect(t.stages[i]!.start).toBe(t.stages[i - 1]!.end);
    expect(t.stages[0]!.start).toBeGreaterThanOrEqual(t.start);
    expect(t.end!.at).toBeGreaterThanOrEqual(t.stages.at(-1)!.end);
    expect(t.end).toMatchObject({ route: '/', status: 200 });
    expect(t.attributes['tessera.variant']).toBe(res.headers.get('x-tessera-variant'));
    // Opt-out consent: a visitor id is minted, and a newcomer has no profile yet.
    expect(t.attributes['tessera.profile.source']).toBeTypeOf('string');
    expect(res.headers.get('server-timing')).toContain(`desc="${t.attributes['tessera.profile.source']}"`);
    const decided = await engine.decide(new Request('http://shop.test/'));
    for (const [experiment, arm] of Object.entries(decided.decision.arms))
      expect(t.attributes[`tessera.experiment.${experiment}`]).toBeTypeOf(typeof arm);
  });

  it('tells the tracer an ingest: its outcome counts', async () => {
    const { tracer, traces } = recordingTracer();
    const engine = await shopEngine(tracer);
    const e = (id: string, extra: Record<string, unknown>) => ({ id, ts: Date.now(), ...extra });
    const res = await engine.fetch(
      new Request('http://shop.test/collect', {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'http://shop.test' },
        body: JSON.stringify({
          events: [
            e('a', { type: 'search', props: { q: 'shoes' } }),
            e('a', { type: 'search', props: { q: 'shoes' } }),
            e('b', { type: 'nope' }),
          ],
        }),
      }),
    );
    expect(res.status).toBe(202);
    const t = traces[0]!;
    expect(t.end).toMatchObject({ route: '/collect', status: 202 });
    expect(t.attributes['tessera.ingest.accepted']).toBe(2);
    expect(t.attributes['tessera.ingest.rejected']).toBe(1);
    expect(t.attributes['tessera.ingest.deduplicated']).toBe(1);
  });
});

function otel() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { exporter, tracer: otelEngineTracer(provider.getTracer('test')) };
}

const headers = (h: Record<string, string>) => new Headers(h);

describe('the OpenTelemetry adapter', () => {
  it('continues a valid traceparent, and starts a new trace on a malformed or invalid one', () => {
    const parent = parentFromHeaders(
      headers({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: 'a=1' }),
    );
    const ctx = trace.getSpanContext(parent)!;
    expect(ctx).toMatchObject({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: 1,
      isRemote: true,
    });
    expect(ctx.traceState?.get('a')).toBe('1');
    for (const bad of [
      '00-00000000000000000000000000000000-00f067aa0ba902b7-01', // zero trace id
      '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01', // zero span id
      'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', // version ff
      '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra', // version 00 with a fifth field
      '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01', // upper case
      'garbage',
    ])
      expect(trace.getSpanContext(parentFromHeaders(headers({ traceparent: bad })))).toBeUndefined();
  });

  it('makes a SERVER span with the stages as INTERNAL children at the engine-measured times', () => {
    const { exporter, tracer } = otel();
    const req = new Request('http://shop.test/', {
      headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    });
    const t = tracer.begin(req, 1000);
    t.stage('context', 1000, 1000.5);
    t.stage('profile', 1000.5, 1002);
    t.attribute('tessera.variant', 'v1');
    t.end('/', 503, 1003);
    const spans = exporter.getFinishedSpans();
    const root = spans.find((s) => s.kind === SpanKind.SERVER)!;
    expect(root.name).toBe('GET /');
    expect(root.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(root.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(root.attributes).toMatchObject({
      'http.route': '/',
      'http.response.status_code': 503,
      'tessera.variant': 'v1',
    });
    expect(root.status.code).toBe(SpanStatusCode.ERROR);
    const ms = (s: ReadableSpan, which: 'startTime' | 'endTime') => s[which][0] * 1000 + s[which][1] / 1e6;
    expect(ms(root, 'endTime') - ms(root, 'startTime')).toBeCloseTo(3, 3);
    const profile = spans.find((s) => s.name === 'profile')!;
    expect(profile.kind).toBe(SpanKind.INTERNAL);
    expect(profile.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    expect(ms(profile, 'startTime') - ms(root, 'startTime')).toBeCloseTo(0.5, 3);
    expect(ms(profile, 'endTime') - ms(profile, 'startTime')).toBeCloseTo(1.5, 3);
  });

  it("follows the caller's sampling decision: an unsampled traceparent records nothing", () => {
    const { exporter, tracer } = otel();
    const req = new Request('http://shop.test/', {
      headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00' },
    });
    const t = tracer.begin(req, 0);
    t.stage('context', 0, 1);
    t.end('/', 200, 2);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('encodes spans as OTLP/HTTP JSON: hex ids, nanosecond strings, OTLP kinds, typed values', () => {
    const { exporter, tracer } = otel();
    const t = tracer.begin(new Request('http://shop.test/collect', { method: 'POST' }), 0);
    t.attribute('tessera.ingest.accepted', 3);
    t.attribute('ratio', 0.5);
    t.attribute('ok', true);
    t.stage('validate', 0, 1);
    t.end('/collect', 202, 2);
    const doc = JSON.parse(otlpTraceJson(exporter.getFinishedSpans()));
    const spans = doc.resourceSpans[0].scopeSpans[0].spans as Array<Record<string, unknown>>;
    const root = spans.find((s) => s.name === 'POST /collect')!;
    const child = spans.find((s) => s.name === 'validate')!;
    expect(root.kind).toBe(2);
    expect(child.kind).toBe(1);
    expect(root.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(child.parentSpanId).toBe(root.spanId);
    expect(root.parentSpanId).toBeUndefined();
    expect(BigInt(root.endTimeUnixNano as string) - BigInt(root.startTimeUnixNano as string)).toBe(
      2_000_000n,
    );
    expect(root.attributes).toEqual(
      expect.arrayContaining([
        { key: 'tessera.ingest.accepted', value: { intValue: '3' } },
        { key: 'ratio', value: { doubleValue: 0.5 } },
        { key: 'ok', value: { boolValue: true } },
        { key: 'http.route', value: { stringValue: '/collect' } },
      ]),
    );
  });

  it('reads the endpoint like the OpenTelemetry SDKs', () => {
    expect(tracesUrl('http://c:4318')).toBe('http://c:4318/v1/traces');
    expect(tracesUrl('http://c:4318/')).toBe('http://c:4318/v1/traces');
    expect(tracesUrl('http://c:4318/v1/traces')).toBe('http://c:4318/v1/traces');
    expect(otlpEndpointFromEnv({})).toBeUndefined();
    expect(otlpEndpointFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://o' })).toBe('http://o');
    expect(
      otlpEndpointFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://o', TESSERA_OTLP_ENDPOINT: 'http://t' }),
    ).toBe('http://t');
  });
});
