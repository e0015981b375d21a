/**
 * Every log line written while the engine serves a request names that
 * request's id (issue 14), with no async context to carry it: the request
 * path hands its logger on explicitly (request-logger.ts). Each scenario
 * below makes a request-path line happen (a store read failing, a rate
 * limiter failing, a route throwing, a host route logging, the quota, the
 * client's dropped events, the metrics' request line) and checks each line
 * written during that request carries its id. A new log call on the request
 * path that writes through the engine's own logger fails here.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../observe/metrics.js';
import { createMemoryStore } from '../profiles/memory.js';
import { loadSite, packageRoot } from '../runtimes/node/app.js';
import { createNodeRewriter } from '../runtimes/node/html-rewriter.js';
import { consoleLogger } from '../runtimes/node/logger.js';
import { createEngine, type Engine } from './engine.js';
import { createKeyRing, newVisitorId, signId } from './identity/index.js';
import type { RateLimiter } from './limits/index.js';
import type { ProfileStore } from './ports.js';
import { parseSiteConfig } from './segments/index.js';

const SECRET = 'request-log-lines-secret-request-log-00';
let seq = 0;

interface Line {
  msg: string;
  requestId?: string;
}

/** A profile store whose reads fail for the ids in `down`. */
function failingReads(store: ProfileStore, down: Set<string>): ProfileStore {
  return new Proxy(store, {
    get(target, key) {
      const value = Reflect.get(target, key);
      if (key === 'get')
        return (id: string) =>
          down.has(id) ? Promise.reject(new Error('store down')) : value.call(target, id);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const brokenLimiter: RateLimiter = {
  name: 'broken',
  take: () => Promise.reject(new Error('limiter down')),
  charge: () => Promise.reject(new Error('limiter down')),
  close: async () => {},
};

async function setUp(o: { limiter?: RateLimiter } = {}) {
  const shop = await loadSite(join(packageRoot, 'examples/shop'));
  const stores = createMemoryStore();
  const down = new Set<string>();
  const lines: Line[] = [];
  const logger = consoleLogger('debug', { write: (line) => lines.push(JSON.parse(line) as Line) });
  const engine = createEngine(
    {
      site: parseSiteConfig({ ...(shop.site as object), privacy: { maxEventsPerDay: 2 } }),
      catalog: shop.catalog,
      settings: { secret: SECRET, consentMode: 'opt-out' },
    },
    {
      profiles: failingReads(stores.profiles, down),
      events: stores.events,
      rewriter: createNodeRewriter,
      origin: { render: (path) => shop.render(path) },
      assets: shop.assets,
      logger,
      observer: createMetrics({ logger, processMetrics: false }).observer,
      ...(o.limiter ? { rateLimiter: o.limiter } : {}),
      routes: [
        {
          prefix: '/host/',
          handle: async (_req, ctx, path) => {
            // Handed on by itself: a route's logger works without its object.
            const warn = ctx.logger.warn;
            warn('[test] host route', { path });
            if (path === '/host/throw') throw new Error('route broke');
            return { status: 204, headers: {}, cookies: [], body: null };
          },
        },
      ],
    },
  );
  const visitor = newVisitorId();
  const cookie = `tsr_id=${await signId(createKeyRing(SECRET), visitor)}`;
  return { engine, lines, down, visitor, cookie, items: shop.catalog.map((p) => p.id) };
}

/** Serves one request with its own id; the lines written meanwhile, each checked for that id. */
async function served(
  engine: Engine,
  lines: Line[],
  method: string,
  path: string,
  headers: Record<string, string>,
  body = '',
): Promise<{ status: number; lines: Line[] }> {
  const requestId = `req-${++seq}`;
  const h = new Map(Object.entries(headers));
  const from = lines.length;
  const reply = await engine.handle({
    method,
    url: `http://shop.test${path}`,
    headers: { get: (n: string) => h.get(n.toLowerCase()) ?? null },
    text: async () => body,
    requestId,
  });
  await engine.idle();
  const written = lines.slice(from);
  for (const line of written)
    expect(line, `"${line.msg}" names its request`).toHaveProperty('requestId', requestId);
  return { status: reply.status, lines: written };
}

const post = (cookie: string, payload: unknown) => ({
  headers: { cookie, 'content-type': 'application/json', origin: 'http://shop.test' },
  body: JSON.stringify(payload),
});

describe('log lines of a request', () => {
  it('a page whose profile read fails, and the metrics line of every reply', async () => {
    const { engine, lines, down, visitor, cookie } = await setUp();
    down.add(visitor);
    const page = await served(engine, lines, 'GET', '/', { cookie });
    expect(page.status).toBe(200);
    expect(page.lines.map((l) => l.msg)).toEqual(['[tessera] profile read failed', 'request']);
  });

  it("an item page's edge-observed view past the quota, and a collect batch past it", async () => {
    const { engine, lines, cookie, items } = await setUp();
    const msgs: string[] = [];
    for (const item of items.slice(0, 4)) {
      msgs.push(
        ...(await served(engine, lines, 'GET', `/product/${item}`, { cookie })).lines.map((l) => l.msg),
      );
    }
    const events = items
      .slice(0, 3)
      .map((item) => ({ id: `e${seq}-${item}`, type: 'view', ts: Date.now(), item }));
    const { headers, body } = post(cookie, { events, dropped: 5 });
    const batch = await served(engine, lines, 'POST', '/collect', headers, body);
    expect(batch.status).toBe(202);
    msgs.push(...batch.lines.map((l) => l.msg));
    expect(msgs).toContain('[tessera] [ingest] a visitor is over the daily event quota: events not logged');
    expect(msgs).toContain('[tessera] [collect] browsers dropped events from their full queues');
  });

  it('a collect batch whose store read fails (a 500) and whose rate limiter fails', async () => {
    const { engine, lines, down, visitor, cookie, items } = await setUp({ limiter: brokenLimiter });
    down.add(visitor);
    const { headers, body } = post(cookie, {
      events: [{ id: 'x1', type: 'view', ts: Date.now(), item: items[0] }],
    });
    const batch = await served(engine, lines, 'POST', '/collect', headers, body);
    expect(batch.status).toBe(500);
    const msgs = batch.lines.map((l) => l.msg);
    expect(msgs).toContain('[tessera] [limits] broken rate limiter failed; letting requests through');
    expect(msgs).toContain('[tessera] request failed');
  });

  it("a host route's own lines, and its failure", async () => {
    const { engine, lines } = await setUp();
    expect((await served(engine, lines, 'GET', '/host/ok', {})).lines.map((l) => l.msg)).toEqual([
      '[test] host route',
      'request',
    ]);
    const failed = await served(engine, lines, 'GET', '/host/throw', {});
    expect(failed.status).toBe(500);
    expect(failed.lines.map((l) => l.msg)).toContain('[tessera] request failed');
  });

  it('without an id from the host, lines carry none (as outside any request)', async () => {
    const { engine, lines } = await setUp();
    await engine.handle({
      method: 'GET',
      url: 'http://shop.test/host/ok',
      headers: { get: () => null },
      text: async () => '',
    });
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).not.toHaveProperty('requestId');
  });
});
