/**
 * `/metrics` after simulated traffic on an in-process Node app: the text
 * parses strictly as Prometheus exposition, every family is there, and the
 * ones the traffic should move are non-zero. Plus who may read it, the
 * token-less metrics port, `/ready`, and the JSON log lines.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenFilePath, writeTokenFile } from '../../src/admin/token-file.js';
import { mintToken } from '../../src/admin/tokens.js';
import { createNodeApp, type NodeApp } from '../../src/runtimes/node/app.js';
import { consoleLogger } from '../../src/runtimes/node/logger.js';
import { CookieJar, jarFetch } from '../helpers/cookie-jar.js';
import { type Family, parsePrometheusText, total } from '../helpers/prom-text.js';

const SECRET = 'metrics-test-secret-metrics-test-secret-0';
const catalog = JSON.parse(
  readFileSync(new URL('../../examples/shop/catalog.json', import.meta.url), 'utf8'),
) as Array<{ id: string; in_stock: boolean }>;
const items = catalog.filter((p) => p.in_stock).map((p) => p.id);

let dir: string;
let app: NodeApp;
let base: string;
const lines: string[] = [];
let metricsToken: string;
let statsToken: string;
let families: Map<string, Family>;
let seq = 0;
const ev = (type: string, extra: Record<string, unknown> = {}) => ({
  id: `e${seq++}`,
  type,
  ts: Date.now(),
  ...extra,
});

async function collect(jar: CookieJar, events: unknown[], headers: Record<string, string> = {}) {
  return jarFetch(jar, `${base}/collect`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ events }),
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-metrics-'));
  const scraper = await mintToken('scraper', ['read:metrics']);
  const stats = await mintToken('stats', ['read:stats']);
  metricsToken = scraper.token;
  statsToken = stats.token;
  writeTokenFile(tokenFilePath(dir), [scraper.record, stats.record]);
  app = await createNodeApp({
    dataDir: dir,
    store: 'memory:',
    secret: SECRET,
    nodeId: 'obs-1',
    retrainMs: 0,
    modelPollMs: 0,
    metricsPort: 0,
    logger: consoleLogger('debug', { node: 'obs-1', write: (line) => lines.push(line) }),
    cluster: { bus: 'memory:' },
    // A small bucket for id-less batches from one forwarded address, so the traffic meets a 429.
    limits: { trustedIpHeader: 'x-forwarded-for', perIp: { rate: 0.001, burst: 3 } },
  });
  app.engine.experiments.resume('recs-strategy');
  base = `http://127.0.0.1:${await app.listen(0)}`;

  // A consenting visitor browses three products and the home page.
  const jar = new CookieJar();
  await collect(jar, [ev('consent', { props: { personalization: true, analytics: true } })]);
  for (const item of items.slice(0, 3)) await (await jarFetch(jar, `${base}/product/${item}`)).text();
  await (await jarFetch(jar, `${base}/`, { headers: { 'x-request-id': 'trace-me-1' } })).text();
  // A click on a recommendation, a purchase, a rejected event, a repeat inside the batch.
  const click = ev('click', { item: items[5], props: { slot: 'recommended' } });
  const res = await collect(jar, [
    click,
    click,
    ev('purchase', { item: items[0] }),
    ev('view', { item: items[1], ts: Date.now() + 86_400_000 }),
  ]);
  expect(res.status).toBe(202);
  // The same click again: already logged.
  await collect(jar, [click]);
  // A visitor without consent: events dropped. Then more batches than its address may send: 429.
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) {
    const r = await collect(new CookieJar(), [ev('view', { item: items[2] })], {
      'x-forwarded-for': '10.9.9.9',
    });
    statuses.push(r.status);
  }
  expect(statuses).toContain(429);
  await app.engine.idle();
  await app.engine.flush();
  // Deltas go out on the bus and come back (a macrotask later).
  await new Promise((r) => setTimeout(r, 50));
  const text = await (
    await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } })
  ).text();
  families = parsePrometheusText(text);
}, 60_000);

afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('/metrics after traffic', () => {
  it('has every family, in strict Prometheus text', () => {
    const expected = [
      'tessera_http_requests_total',
      'tessera_http_request_duration_seconds',
      'tessera_decision_stage_seconds',
      'tessera_profile_source_total',
      'tessera_ingest_events_total',
      'tessera_store_operation_seconds',
      'tessera_store_errors_total',
      'tessera_log_operation_seconds',
      'tessera_log_errors_total',
      'tessera_bus_operation_seconds',
      'tessera_bus_errors_total',
      'tessera_bus_lag_seconds',
      'tessera_spool_depth',
      'tessera_model_info',
      'tessera_model_swaps_total',
      'tessera_model_rollbacks_total',
      'tessera_model_canary_share',
      'tessera_experiment_exposures_total',
      'tessera_experiment_conversions_total',
      'tessera_recommendation_impressions_total',
      'tessera_recommendation_clicks_total',
      'process_cpu_user_seconds_total',
      'nodejs_heap_size_used_bytes',
    ];
    for (const name of expected) expect(families.has(name), name).toBe(true);
    expect(families.get('tessera_http_request_duration_seconds')?.type).toBe('histogram');
    expect(families.get('tessera_http_requests_total')?.type).toBe('counter');
  });

  it('counts requests by normalised route and status', () => {
    expect(total(families, 'tessera_http_requests_total', { route: '/product/:id', status: '200' })).toBe(3);
    expect(total(families, 'tessera_http_requests_total', { route: '/', status: '200' })).toBe(1);
    expect(
      total(families, 'tessera_http_requests_total', { route: '/collect', status: '429' }),
    ).toBeGreaterThan(0);
    expect(total(families, 'tessera_http_request_duration_seconds', { route: '/collect' })).toBeGreaterThan(
      0,
    );
  });

  it('times every decision stage and counts profile sources', () => {
    for (const stage of ['context', 'profile', 'segments', 'experiments', 'recommend', 'assemble'])
      expect(total(families, 'tessera_decision_stage_seconds', { stage }), stage).toBe(4);
    expect(total(families, 'tessera_profile_source_total')).toBe(4);
  });

  it('counts ingest outcomes', () => {
    const ingest = (outcome: string, reason?: string) =>
      total(families, 'tessera_ingest_events_total', reason ? { outcome, reason } : { outcome });
    // The consent, the three valid events of the mixed batch, the repeated click, three id-less batches.
    expect(ingest('accepted')).toBe(8);
    expect(ingest('rejected', 'ts')).toBe(1);
    expect(ingest('deduplicated')).toBeGreaterThanOrEqual(2);
    expect(ingest('throttled')).toBeGreaterThan(0);
    expect(ingest('dropped', 'no_consent')).toBeGreaterThan(0);
    expect(
      families.get('tessera_ingest_events_total')!.samples.some((s) => s.labels.outcome === 'spooled'),
    ).toBe(true);
  });

  it('times the store, the log and the bus, and measures bus lag', () => {
    expect(total(families, 'tessera_store_operation_seconds', { driver: 'memory' })).toBeGreaterThan(0);
    expect(total(families, 'tessera_log_operation_seconds', { op: 'append' })).toBeGreaterThan(0);
    expect(total(families, 'tessera_bus_operation_seconds', { op: 'publish' })).toBeGreaterThan(0);
    expect(total(families, 'tessera_bus_lag_seconds')).toBeGreaterThan(0);
    expect(total(families, 'tessera_spool_depth')).toBe(0);
  });

  it('says which model is in use and counts swaps', () => {
    const info = families.get('tessera_model_info')!.samples;
    expect(info).toEqual([
      { name: 'tessera_model_info', labels: { version: app.engine.models.current()!.version }, value: 1 },
    ]);
    expect(total(families, 'tessera_model_swaps_total')).toBeGreaterThanOrEqual(1);
  });

  it('counts exposures, conversions, impressions and clicks', () => {
    expect(total(families, 'tessera_experiment_exposures_total', { experiment: 'recs-strategy' })).toBe(1);
    expect(total(families, 'tessera_experiment_conversions_total', { experiment: 'recs-strategy' })).toBe(1);
    expect(
      total(families, 'tessera_recommendation_impressions_total', { slot: 'recommended' }),
    ).toBeGreaterThan(0);
    expect(total(families, 'tessera_recommendation_clicks_total', { slot: 'recommended' })).toBe(1);
  });
});

describe('who may read /metrics', () => {
  it('answers 401 without a token and 403 with a token lacking read:metrics', async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${statsToken}` } });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('read:metrics');
  });

  it('serves the metrics port without a token, on loopback', async () => {
    const res = await fetch(`http://127.0.0.1:${app.metricsPort}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(parsePrometheusText(await res.text()).has('tessera_http_requests_total')).toBe(true);
    expect((await fetch(`http://127.0.0.1:${app.metricsPort}/`)).status).toBe(404);
  });
});

describe('/ready on a node', () => {
  it('is 200 once the model is loaded', async () => {
    const res = await fetch(`${base}/ready`);
    expect(res.status).toBe(200);
  });

  it('is 503 while a node waits for its first model, 200 once trained', async () => {
    const other = mkdtempSync(join(tmpdir(), 'tessera-ready-'));
    const waiting = await createNodeApp({
      dataDir: other,
      store: 'memory:',
      secret: SECRET,
      retrainMs: 0,
      modelPollMs: 0,
      trainIfEmpty: false,
      logger: consoleLogger('error'),
    });
    try {
      const url = `http://127.0.0.1:${await waiting.listen(0)}/ready`;
      const before = await fetch(url);
      expect(before.status).toBe(503);
      expect(await before.json()).toEqual({ ready: false, reasons: ['model not loaded'] });
      await waiting.train();
      expect((await fetch(url)).status).toBe(200);
    } finally {
      await waiting.close();
      rmSync(other, { recursive: true, force: true });
    }
  }, 30_000);
});

describe('structured logs', () => {
  it('writes JSON lines with time, level, node, and the request id of the request they belong to', () => {
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const p of parsed) {
      expect(typeof p.time).toBe('string');
      expect(['debug', 'info', 'warn', 'error']).toContain(p.level);
      expect(p.node).toBe('obs-1');
    }
    const traced = parsed.filter((p) => p.requestId === 'trace-me-1');
    expect(traced).toContainEqual(expect.objectContaining({ msg: 'request', route: '/', status: 200 }));
    expect(traced[0]).toHaveProperty('duration_seconds');
  });

  it('echoes a well-formed X-Request-Id and replaces anything else', async () => {
    const kept = await fetch(`${base}/health`, { headers: { 'x-request-id': 'abc-123' } });
    expect(kept.headers.get('x-request-id')).toBe('abc-123');
    const replaced = await fetch(`${base}/health`, { headers: { 'x-request-id': 'not a token' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
