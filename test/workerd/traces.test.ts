/**
 * The demo shop Worker in workerd with `TESSERA_OTLP_ENDPOINT` set: each
 * request's spans go over OTLP/HTTP JSON (fetch, after the response) to an
 * OTLP receiver in the test process on loopback. A page is a SERVER span,
 * child of the incoming `traceparent`, with the decision stages as children;
 * an ingest is a span with its outcome counts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainShopModel } from '../../examples/cloudflare/train-model.js';
import { type OtlpReceiver, startOtlpReceiver } from '../helpers/otlp-receiver.js';
import { type RunningWorker, startWorker } from './miniflare.js';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const PARENT_ID = 'b7ad6b7169203331';
const STAGES = ['context', 'profile', 'segments', 'experiments', 'recommend', 'assemble'];

let receiver: OtlpReceiver;
let worker: RunningWorker;
let variant: string | null;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  worker = await startWorker('examples/cloudflare/worker.ts', {
    kvNamespaces: ['TESSERA_KV'],
    bindings: {
      TESSERA_SECRET: 'traces-suite-secret-traces-suite-secret-0',
      TESSERA_CONSENT_MODE: 'opt-out',
      TESSERA_SECURE_COOKIES: 'false',
      TESSERA_NODE_ID: 'cf-trace',
      TESSERA_OTLP_ENDPOINT: receiver.url,
      TESSERA_OTLP_HEADERS: 'x-api-key=secret%20value',
    },
  });
  const kv = await worker.kv('TESSERA_KV');
  await kv.put('model/current.tsra', await trainShopModel());
  const page = await fetch(`${worker.baseUrl}/`, {
    headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` },
  });
  await page.text();
  expect(page.status).toBe(200);
  variant = page.headers.get('x-tessera-variant');
  const ingest = await fetch(`${worker.baseUrl}/collect`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: worker.baseUrl },
    body: JSON.stringify({
      events: [
        { id: 'w1', type: 'view', ts: Date.now(), item: 'nope-not-an-item' },
        { id: 'w2', type: 'bogus', ts: Date.now() },
      ],
    }),
  });
  await ingest.text();
}, 60_000);

afterAll(async () => {
  await worker?.close();
  await receiver?.close();
});

describe('traces from the Worker in workerd', () => {
  it('sends the page span, child of the incoming traceparent, with its stages, to the loopback receiver', async () => {
    await receiver.waitFor((s) => s.some((x) => x.parentSpanId === PARENT_ID));
    expect(receiver.errors).toEqual([]);
    const root = receiver.spans.find((s) => s.traceId === TRACE_ID && s.parentSpanId === PARENT_ID)!;
    expect(root.name).toBe('GET /');
    expect(root.kind).toBe(2);
    expect(root.attributes['http.response.status_code']).toBe(200);
    expect(root.attributes['tessera.variant']).toBe(variant);
    expect(root.attributes['tessera.profile.source']).toBeTypeOf('string');
    expect(String(root.resource['service.instance.id'])).toMatch(/^cf-trace-[0-9a-f]{8}$/);
    const names = receiver.spans.filter((s) => s.parentSpanId === root.spanId).map((s) => s.name);
    for (const stage of STAGES) expect(names).toContain(stage);
    // TESSERA_OTLP_HEADERS, URL-decoded as the OpenTelemetry variable is.
    expect(receiver.requests[0]?.headers['x-api-key']).toBe('secret value');
  });

  it('sends the ingest span with its outcome counts', async () => {
    await receiver.waitFor((s) => s.some((x) => x.name === 'POST /collect'));
    const ingest = receiver.spans.find((s) => s.name === 'POST /collect')!;
    expect(ingest.attributes['http.route']).toBe('/collect');
    expect(ingest.attributes['tessera.ingest.rejected']).toBeGreaterThanOrEqual(1);
  });
});
