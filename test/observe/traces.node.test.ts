/**
 * OpenTelemetry traces from an in-process Node app to an in-process OTLP/HTTP
 * receiver: a page is a SERVER span whose parent is the incoming
 * `traceparent`, with the decision stages as child spans and the variant,
 * profile source and experiment arms as attributes; an ingest is a span with
 * its outcome counts. Loopback only.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeApp, type NodeApp } from '../../src/runtimes/node/app.js';
import { consoleLogger } from '../../src/runtimes/node/logger.js';
import { CookieJar, jarFetch } from '../helpers/cookie-jar.js';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from '../helpers/otlp-receiver.js';

const SECRET = 'traces-test-secret-traces-test-secret-000';
const catalog = JSON.parse(
  readFileSync(new URL('../../examples/shop/catalog.json', import.meta.url), 'utf8'),
) as Array<{ id: string; in_stock: boolean }>;
const items = catalog.filter((p) => p.in_stock).map((p) => p.id);
const STAGES = ['context', 'profile', 'segments', 'experiments', 'recommend', 'assemble'];
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';

let dir: string;
let app: NodeApp;
let receiver: OtlpReceiver;
let base: string;
let variant: string | null;
let serverTiming: string | null;
let seq = 0;
const ev = (type: string, extra: Record<string, unknown> = {}) => ({
  id: `t${seq++}`,
  type,
  ts: Date.now(),
  ...extra,
});

const childrenOf = (spans: ReceivedSpan[], parent: ReceivedSpan) =>
  spans.filter((s) => s.parentSpanId === parent.spanId && s.traceId === parent.traceId);

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  dir = mkdtempSync(join(tmpdir(), 'tessera-traces-'));
  app = await createNodeApp({
    dataDir: dir,
    store: 'memory:',
    secret: SECRET,
    nodeId: 'trace-1',
    retrainMs: 0,
    modelPollMs: 0,
    logger: consoleLogger('warn', { node: 'trace-1', write: () => {} }),
    otlpEndpoint: receiver.url,
  });
  app.engine.experiments.resume('recs-strategy');
  base = `http://127.0.0.1:${await app.listen(0)}`;

  const jar = new CookieJar();
  const consent = await jarFetch(jar, `${base}/collect`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ events: [ev('consent', { props: { personalization: true, analytics: true } })] }),
  });
  expect(consent.status).toBe(202);
  await (await jarFetch(jar, `${base}/product/${items[0]}`)).text();
  // The page under test: a caller's trace continues through it.
  const page = await jarFetch(jar, `${base}/`, {
    headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01`, tracestate: 'vendor=x' },
  });
  await page.text();
  expect(page.status).toBe(200);
  variant = page.headers.get('x-tessera-variant');
  serverTiming = page.headers.get('server-timing');
  // An ingest with one good event, one repeated inside the batch, one bad.
  const click = ev('click', { item: items[1], props: { slot: 'recommended' } });
  const ingest = await jarFetch(jar, `${base}/collect`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      events: [click, click, ev('view', { item: items[2], ts: Date.now() + 86_400_000 })],
    }),
  });
  expect(ingest.status).toBe(202);
  await app.engine.idle();
  // Closing flushes the batch processor.
  await app.close();
}, 60_000);

afterAll(async () => {
  await receiver?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('traces from a Node app over OTLP/HTTP', () => {
  it('receives JSON on /v1/traces with the node as the resource', async () => {
    await receiver.waitFor((s) => s.some((x) => x.traceId === TRACE_ID));
    expect(receiver.errors).toEqual([]);
    expect(receiver.requests.every((r) => r.path === '/v1/traces')).toBe(true);
    const root = receiver.spans.find((s) => s.traceId === TRACE_ID && s.parentSpanId === PARENT_ID)!;
    expect(root.resource['service.name']).toBe('tessera');
    expect(root.resource['service.instance.id']).toBe('trace-1');
  });

  it('makes a page one SERVER span, child of the incoming traceparent, with route, status and decision attributes', () => {
    const roots = receiver.spans.filter((s) => s.traceId === TRACE_ID && s.parentSpanId === PARENT_ID);
    expect(roots).toHaveLength(1);
    const root = roots[0]!;
    expect(root.name).toBe('GET /');
    expect(root.kind).toBe(2);
    expect(root.attributes['http.route']).toBe('/');
    expect(root.attributes['http.request.method']).toBe('GET');
    expect(root.attributes['http.response.status_code']).toBe(200);
    expect(root.attributes['tessera.variant']).toBe(variant);
    // A consenting visitor whose profile this node holds.
    expect(['cache', 'cookie', 'store']).toContain(root.attributes['tessera.profile.source']);
    expect(serverTiming).toContain(`profile-src;desc="${root.attributes['tessera.profile.source']}"`);
    expect(typeof root.attributes['tessera.experiment.recs-strategy']).toBe('string');
    expect(root.endNs).toBeGreaterThan(root.startNs);
  });

  it('has each decision stage as a child span inside the request span, in order', () => {
    const root = receiver.spans.find((s) => s.traceId === TRACE_ID && s.parentSpanId === PARENT_ID)!;
    const children = childrenOf(receiver.spans, root).sort((a, b) => Number(a.startNs - b.startNs));
    const names = children.map((c) => c.name);
    for (const stage of STAGES) expect(names).toContain(stage);
    // The same names, in the same order, as Server-Timing.
    const timed = serverTiming!
      .split(', ')
      .map((p) => p.split(';')[0]!)
      .filter((n) => n !== 'total' && n !== 'profile-src');
    expect(names).toEqual(timed);
    const slackNs = 1_000_000n; // 1 ms: the epoch anchor is read once per request
    for (const c of children) {
      expect(c.kind).toBe(1);
      expect(c.startNs).toBeGreaterThanOrEqual(root.startNs - slackNs);
      expect(c.endNs).toBeLessThanOrEqual(root.endNs + slackNs);
      expect(c.endNs).toBeGreaterThanOrEqual(c.startNs);
    }
  });

  it('makes an ingest a span with its outcome counts', () => {
    const ingests = receiver.spans.filter((s) => s.name === 'POST /collect');
    // The consent batch and the click batch, each its own trace (no traceparent).
    expect(ingests).toHaveLength(2);
    for (const s of ingests) expect(s.parentSpanId).toBeUndefined();
    const consent = ingests.find(
      (s) => s.attributes['tessera.ingest.accepted'] === 1 && !s.attributes['tessera.ingest.rejected'],
    )!;
    expect(consent.attributes['http.response.status_code']).toBe(202);
    const batch = ingests.find((s) => s.attributes['tessera.ingest.rejected'] === 1)!;
    expect(batch.attributes['tessera.ingest.accepted']).toBe(2);
    expect(batch.attributes['tessera.ingest.deduplicated']).toBe(1);
    expect(batch.attributes['http.route']).toBe('/collect');
  });
});
