/**
 * A canary across two Node apps sharing the real Redis (profiles, event log,
 * model registry and bus): each node serves half the visitors, too few for a
 * verdict on its own; their counts merge over the bus, the verdict is the
 * whole traffic's, the aliases move exactly once, and both nodes end up
 * serving the promoted candidate. Half the clicks are sent to the node that
 * did not serve the visitor: they reach the serving node over the bus, as
 * every event reaches every node's live counts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RolloutOutcome } from '../../src/models/lifecycle.js';
import { promoteModel, registerModel } from '../../src/models/model-registry.js';
import { createNodeApp, type NodeApp } from '../../src/runtimes/node/app.js';
import { consoleLogger } from '../../src/runtimes/node/logger.js';
import { buildModel } from '../../src/train/index.js';
import { CookieJar, jarFetch } from '../helpers/cookie-jar.js';
import { REDIS_URL, requireRedis, uniquePrefix } from '../helpers/services.js';

const MIN_VISITORS = 70;
const PER_NODE = 100;
const dir = mkdtempSync(join(tmpdir(), 'tessera-rollout-cluster-'));
const prefix = uniquePrefix('rc').replace(/[^A-Za-z0-9_-]/g, '');
const names = ['rc-a', 'rc-b'] as const;
let apps: NodeApp[] = [];
let bases: string[] = [];
/** The id each node gives its next new visitor (so the test knows every visitor's arm). */
const nextId: Record<string, string> = {};

beforeAll(async () => {
  await requireRedis();
  apps = await Promise.all(
    names.map((name) => {
      let n = 0;
      return createNodeApp({
        store: REDIS_URL,
        cluster: { bus: REDIS_URL, prefix },
        dataDir: join(dir, name),
        nodeId: name,
        secret: 'rollout-cluster-secret-rollout-cluster-0000',
        retrainMs: 0,
        modelPollMs: 0,
        sessionRanker: false,
        logger: consoleLogger('error', { node: name, write: () => {} }),
        // Anonymous ids have 22 base64url characters (core/identity/signed-id.ts).
        visitorIds: () => {
          nextId[name] = `${name}-v${String(n++).padStart(16, '0')}`;
          return nextId[name]!;
        },
        modelLifecycle: (c) => ({
          ...c,
          // The latency guardrail reads wall-clock time on a shared machine: not what this test is about.
          rollout: {
            ...c.rollout,
            mode: 'canary',
            share: 0.5,
            minVisitors: MIN_VISITORS,
            latencySlackMs: 1000,
          },
        }),
      });
    }),
  );
  bases = await Promise.all(apps.map(async (a) => `http://127.0.0.1:${await a.listen(0, '127.0.0.1')}`));
}, 60_000);

afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

async function collect(jar: CookieJar, base: string, events: unknown[]): Promise<void> {
  const res = await jarFetch(jar, `${base}/collect`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  expect(res.status).toBe(202);
}

/** One visitor on node `n`: consent, a product page, and (at its arm's rate) a recommendation click. */
async function visit(n: number, i: number, item: string): Promise<{ arm: string; clicked: boolean }> {
  const jar = new CookieJar();
  const name = names[n]!;
  const ts = Date.now();
  await collect(jar, bases[n]!, [
    { id: 'consent', type: 'consent', ts, props: { personalization: true, analytics: true } },
  ]);
  const visitor = nextId[name]!;
  const page = await jarFetch(jar, `${bases[n]}/product/${item}`);
  expect(page.status).toBe(200);
  await page.text();
  const arm = apps[n]!.lifecycle.armOf(visitor);
  const rate = arm === 'candidate' ? 0.7 : 0.1;
  if ((i * 0.618033988749895) % 1 >= rate) return { arm, clicked: false };
  // Every other click goes to the other node's /collect (a load balancer without stickiness).
  const to = i % 2 === 0 ? n : 1 - n;
  await collect(jar, bases[to]!, [
    { id: `click-${i}`, type: 'click', ts: ts + 1, item, props: { slot: 'recommended' } },
  ]);
  return { arm, clicked: true };
}

/** A node's own clickers per arm, from /health (click rate × visitors). */
function localClickers(app: NodeApp): number[] {
  const r = (
    app.engine.health().models as { rollout: Record<string, { visitors: number; click_rate: number }> }
  ).rollout;
  return [r.production!, r.candidate_stats!].map((a) => Math.round(a.click_rate * a.visitors));
}

interface ClusterCounts {
  replicas: number;
  production: { visitors: number; clickers: number };
  candidate: { visitors: number; clickers: number };
}
const clusterOf = (app: NodeApp) =>
  (app.engine.health().models as { rollout: { cluster: ClusterCounts | null } }).rollout.cluster;

it('two nodes conclude on their merged counts, and the aliases move once', async () => {
  const store = apps[0]!.modelStore;
  const catalog = [...apps[0]!.engine.catalog.values()];
  const [prod, cand] = [
    (await buildModel({ catalog, events: [], k: 10, now: 0 })).artifact,
    (await buildModel({ catalog, events: [], k: 20, now: 0 })).artifact,
  ];
  const p = await registerModel(store, prod);
  await promoteModel(store, p.version, 'production');
  const c = await registerModel(store, cand);
  await promoteModel(store, c.version, 'candidate');
  for (const app of apps) {
    await app.engine.models.reload();
    await app.lifecycle.check();
    expect(app.lifecycle.candidate?.version).toBe(c.version);
  }

  const expected = [
    [0, 0],
    [0, 0],
  ];
  for (let i = 0; i < PER_NODE; i++) {
    const done = await Promise.all(
      [0, 1].map((n) => visit(n, n * PER_NODE + i, catalog[(i * 7 + n) % catalog.length]!.id)),
    );
    for (const [n, v] of done.entries()) if (v.clicked) expected[n]![v.arm === 'candidate' ? 1 : 0]!++;
  }
  await Promise.all(apps.map((a) => a.engine.idle()));
  // Every click is credited by the node that served the visitor, those another node's /collect took too.
  await expect.poll(() => apps.map(localClickers), { timeout: 5000 }).toEqual(expected);
  // Live counts (popularity, co-occurrence) on each node count every node's events, not only its own.
  const liveEvents = () => apps.map((a) => a.lifecycle.live!.toJSON().events);
  await expect.poll(() => new Set(liveEvents()).size, { timeout: 5000 }).toBe(1);
  expect(liveEvents()[0]).toBeGreaterThanOrEqual(2 * PER_NODE); // a view per visitor at least, and the clicks

  // The first looks, before any report crossed: each node alone is under the minimum.
  const first = await Promise.all(apps.map((a) => a.lifecycle.evaluate()));
  expect(first).toEqual([undefined, undefined]);
  for (const app of apps) {
    const alone = clusterOf(app)!;
    expect(alone.replicas).toBe(1);
    expect(Math.min(alone.production.visitors, alone.candidate.visitors)).toBeLessThan(MIN_VISITORS);
  }

  const before = await store.aliases();
  const revision = before.revision;
  const outcomes: RolloutOutcome[] = [];
  const end = Date.now() + 15_000;
  // Every node keeps looking, as its timer would, until both have seen the verdict.
  while (Date.now() < end && outcomes.length < 2) {
    await new Promise((r) => setTimeout(r, 100));
    const looks = await Promise.all(apps.map((a) => a.lifecycle.evaluate()));
    for (const o of looks) if (o) outcomes.push(o);
    // A node whose rollout another one ended stops it on its next alias check.
    if (outcomes.length > 0) await Promise.all(apps.map((a) => a.lifecycle.check()));
    if (outcomes.length > 0 && apps.every((a) => a.lifecycle.candidate === undefined)) break;
  }
  console.log(
    `[rollout-cluster] outcomes: ${JSON.stringify(outcomes.map((o) => ({ action: o.action, applied: o.applied, visitors: o.visitors, replicas: o.replicas })))}`,
  );
  expect(outcomes.length).toBeGreaterThan(0);
  for (const o of outcomes) {
    expect(o).toMatchObject({ action: 'promote', candidate: c.version, replicas: 2 });
    expect(Math.min(o.visitors.production, o.visitors.candidate)).toBeGreaterThanOrEqual(MIN_VISITORS);
  }
  expect(outcomes.filter((o) => o.applied)).toHaveLength(1);
  const aliases = await store.aliases();
  expect(aliases.revision).toBe(revision + 1);
  // The node's starting model was production before p: the history gains p alone.
  expect(aliases).toMatchObject({ production: c.version, history: [...before.history, p.version] });
  expect(aliases.candidate).toBeUndefined();
  // Both nodes serve the promoted version: the one that moved it, and the other after the bus notice.
  await expect
    .poll(() => apps.map((a) => a.engine.models.current()?.version), { timeout: 10_000 })
    .toEqual([c.version, c.version]);
  expect(outcomes[0]!.visitors.total).toBe(2 * PER_NODE);
}, 120_000);
