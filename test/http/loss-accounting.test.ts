/**
 * Loss accounting: every event a node receives is counted where it went
 * (acknowledged, stored, deduplicated, dropped by reason), and the counts are
 * on `engine.health()` and on the full `/health` JSON.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/core/engine.js';
import { parseSiteConfig } from '../../src/core/segments/index.js';
import { createMemoryStore } from '../../src/profiles/memory.js';
import { createNodeApp, loadSite, packageRoot } from '../../src/runtimes/node/app.js';
import { createNodeRewriter } from '../../src/runtimes/node/html-rewriter.js';
import { consoleLogger } from '../../src/runtimes/node/logger.js';
import { request } from '../fuzz/engine.js';

const SECRET = 'loss-accounting-secret-loss-accounting-00';
let seq = 0;
const ev = (type: string, extra: Record<string, unknown> = {}) => ({
  id: `la-${seq++}`,
  type,
  ts: Date.now(),
  ...extra,
});

async function engineOn(opts: { quota: number; consentMode: 'opt-in' | 'opt-out' }) {
  const shop = await loadSite(join(packageRoot, 'examples/shop'));
  const stores = createMemoryStore();
  const engine = createEngine(
    {
      site: parseSiteConfig({ ...(shop.site as object), privacy: { maxEventsPerDay: opts.quota } }),
      catalog: shop.catalog,
      settings: { secret: SECRET, consentMode: opts.consentMode },
      limits: { perVisitor: { rate: 0.001, burst: 4 }, junkCost: 1 },
    },
    {
      profiles: stores.profiles,
      events: stores.events,
      rewriter: createNodeRewriter,
      origin: { render: (path) => shop.render(path) },
      assets: shop.assets,
    },
  );
  return { engine, items: shop.catalog.map((p) => p.id) };
}

async function post(engine: Engine, cookie: string, body: string) {
  const reply = await engine.handle(
    request('POST', '/collect', { cookie, 'content-type': 'application/json' }, body, '10.0.0.1'),
  );
  return reply;
}

async function visitorCookie(engine: Engine): Promise<string> {
  const first = await engine.handle(request('GET', '/'));
  return first.cookies.find((c) => c.startsWith('tsr_id='))?.split(';')[0] ?? '';
}

describe('loss accounting', () => {
  it('counts a mixed batch: received, accepted, acknowledged, stored, deduplicated, dropped by reason', async () => {
    const { engine, items } = await engineOn({ quota: 3, consentMode: 'opt-out' });
    const cookie = await visitorCookie(engine);
    const [a, b, c, d] = items as [string, string, string, string];
    const v1 = ev('view', { item: a });
    const batch = [
      v1,
      ev('view', { item: b }),
      ev('view', { nope: true, ts: 'yesterday' }), // invalid
      v1, // a duplicate inside the batch
      ev('add_to_cart', { item: c }),
      ev('view', { item: d }), // over the daily quota of 3
    ];
    const first = await post(engine, cookie, JSON.stringify({ events: batch }));
    expect(first.status).toBe(202);
    // The browser's retry of part of the batch: the log has the cart event already (and
    // the visitor is past the quota, so only the profile could have taken it); the view
    // repeats one seconds old.
    const retry = await post(engine, cookie, JSON.stringify({ events: [batch[4], v1] }));
    expect(retry.status).toBe(202);
    // Refused batches: not JSON, too large, then throttled (burst 4 per visitor).
    expect((await post(engine, cookie, '{not json')).status).toBe(400);
    expect((await post(engine, cookie, 'x'.repeat(engine.settings.maxBodyBytes + 1))).status).toBe(413);
    expect((await post(engine, cookie, JSON.stringify({ events: [ev('view', { item: a })] }))).status).toBe(
      429,
    );

    const counts = engine.health().events;
    expect(counts).toMatchObject({
      received: 6 + 2,
      accepted: 5 + 2,
      acknowledged: 5 + 2,
      stored: 3,
      // one inside the first batch, the cart event on the retry
      deduplicated: 1 + 1,
      spooled: 0,
    });
    expect(counts.dropped).toEqual({ invalid: 1, quota: 1, repeatView: 1 });
    expect(counts.refusedBatches).toEqual({ malformed: 1, bodyTooLarge: 1, throttled: 1 });
  });

  it('counts events sent without consent, and to an erased id, as dropped', async () => {
    const { engine, items } = await engineOn({ quota: 1000, consentMode: 'opt-in' });
    // Opt-in and no consent yet: nothing is kept for this sender.
    const noConsent = await post(engine, '', JSON.stringify({ events: [ev('view', { item: items[0] })] }));
    expect(noConsent.status).toBe(202);
    expect(engine.health().events.dropped).toEqual({ consent: 1 });
    // A profile erased, then events for its id (an engine caller: no cookie involved).
    await engine.ingest('visitor-erased', [ev('view', { item: items[1] }) as never]);
    await engine.profiles.erase('visitor-erased');
    await engine.ingest('visitor-erased', [ev('view', { item: items[2] }) as never]);
    const counts = engine.health().events;
    expect(counts.dropped).toEqual({ consent: 1, erased: 1 });
    expect(counts.stored).toBe(1);
  });

  it('puts the counts on /health for a read:stats token only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-loss-'));
    const admin = 'loss-accounting-admin-token-loss-accounting';
    const app = await createNodeApp({
      dataDir: dir,
      store: 'memory:',
      secret: SECRET,
      adminToken: admin,
      consentMode: 'opt-out',
      retrainMs: 0,
      modelPollMs: 0,
      logger: consoleLogger('error'),
    });
    try {
      const base = `http://127.0.0.1:${await app.listen(0)}`;
      const item = [...app.engine.catalog.keys()][0];
      const res = await fetch(`${base}/collect`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ events: [ev('view', { item }), ev('view', {})] }),
      });
      expect(res.status).toBe(202);
      const anonymous = await (await fetch(`${base}/health`)).json();
      expect(anonymous).toEqual({ status: 'ok' });
      const full = (await (
        await fetch(`${base}/health`, { headers: { authorization: `Bearer ${admin}` } })
      ).json()) as { events: Record<string, unknown> };
      expect(full.events).toMatchObject({
        received: 2,
        accepted: 1,
        acknowledged: 1,
        stored: 1,
        spooled: 0,
        dropped: { invalid: 1 },
      });
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
