/**
 * The event Queue's consumer in workerd (Miniflare's queues, the demo shop
 * Worker as its own consumer): events posted to `/collect` reach the queue
 * and the consumer applies them to the stored profile, a redelivered batch
 * changes nothing, a message whose apply fails is retried.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { trainShopModel } from '../../examples/cloudflare/train-model.js';
import type { LoggedEvent, Profile } from '../../src/core/types.js';
import type { KVNamespaceLike, QueueMessage } from '../../src/runtimes/cloudflare/index.js';
import { CookieJar, jarFetch } from '../helpers/cookie-jar.js';
import { type RunningWorker, startWorker } from './miniflare.js';

const catalog = JSON.parse(
  readFileSync(new URL('../../examples/shop/catalog.json', import.meta.url), 'utf8'),
) as Array<{ id: string; category: string; in_stock: boolean }>;
const running = catalog.filter((p) => p.category === 'running' && p.in_stock).map((p) => p.id);

let w: RunningWorker;
let kv: KVNamespaceLike;

beforeAll(async () => {
  w = await startWorker('test/workerd/shop-test-worker.ts', {
    kvNamespaces: ['TESSERA_KV'],
    queueProducers: { TESSERA_EVENTS: 'tessera-events' },
    queueConsumers: { 'tessera-events': { maxBatchSize: 100, maxBatchTimeout: 1, retryDelay: 1 } },
    bindings: {
      TESSERA_SECRET: 'queue-consumer-secret-queue-consumer-00',
      TESSERA_CONSENT_MODE: 'opt-in',
      TESSERA_SECURE_COOKIES: 'false',
    },
  });
  kv = await w.kv('TESSERA_KV');
  await kv.put('model/current.tsra', await trainShopModel());
});
afterAll(async () => {
  await w?.close();
});

async function storedProfile(visitor: string): Promise<Profile | null> {
  const res = await fetch(`${w.baseUrl}/__test/profile?visitor=${encodeURIComponent(visitor)}`);
  return (await res.json()) as Profile | null;
}

async function enqueue(messages: QueueMessage[]): Promise<void> {
  const res = await fetch(`${w.baseUrl}/__test/enqueue`, { method: 'POST', body: JSON.stringify(messages) });
  expect(res.status).toBe(204);
}

async function marked(visitor: string): Promise<string[]> {
  const page = await kv.list({ prefix: `seen:${visitor}:` });
  return page.keys.map((k) => k.name.slice(`seen:${visitor}:`.length)).sort();
}

const clicks = (visitor: string, prefix: string, items: string[]): LoggedEvent[] =>
  items.map((item, i) => ({
    id: `${prefix}-${i}`,
    type: 'click',
    item,
    ts: Date.now() - 60_000 + i,
    visitor,
    node: 'cf-test',
    received: Date.now(),
  }));

const waitFor = <T>(f: () => Promise<T>) => vi.waitFor(f, { timeout: 15_000, interval: 100 });

describe('Cloudflare Queue consumer in workerd', () => {
  it('applies the events posted to /collect from the queue and marks them applied', async () => {
    const jar = new CookieJar();
    const post = (events: unknown[]) =>
      jarFetch(jar, `${w.baseUrl}/collect`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ events }),
      });
    await post([
      { id: 'c1', type: 'consent', ts: Date.now(), props: { personalization: true, analytics: true } },
    ]);
    const views = running.slice(0, 3).map((item, i) => ({ id: `v${i}`, type: 'view', ts: Date.now(), item }));
    expect((await post(views)).status).toBe(202);
    const visitor = jar.cookies.get('tsr_id')!.split('.')[0]!;
    await waitFor(async () => expect(await marked(visitor)).toEqual(['c1', 'v0', 'v1', 'v2']));
    const profile = await storedProfile(visitor);
    expect(profile!.recent.map((r) => r.item).sort()).toEqual(running.slice(0, 3).sort());
  });

  it('stores each event once: the consumer alone writes profiles, and a resent /collect batch adds nothing', async () => {
    const jar = new CookieJar();
    const post = (events: unknown[]) =>
      jarFetch(jar, `${w.baseUrl}/collect`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ events }),
      });
    await post([{ id: 'k1', type: 'consent', ts: Date.now(), props: { personalization: true } }]);
    const views = running
      .slice(0, 3)
      .map((item, i) => ({ id: `once${i}`, type: 'view', ts: Date.now(), item }));
    expect((await post(views)).status).toBe(202);
    // The page right after reflects them (the request path's overlay), before any consumer ran.
    const visitor = jar.cookies.get('tsr_id')!.split('.')[0]!;
    await waitFor(async () => expect(await marked(visitor)).toEqual(['k1', 'once0', 'once1', 'once2']));
    // The collector resends the batch (its ack was lost): the same ids go to the queue again.
    expect((await post(views)).status).toBe(202);
    await enqueue([{ kind: 'events', events: clicks('sentinel-once', 's', running.slice(0, 1)) }]);
    await waitFor(async () => expect(await marked('sentinel-once')).toHaveLength(1));
    const profile = (await storedProfile(visitor))!;
    // One writer: every counter of the stored profile sits under the consumer's node, and holds 3 views.
    const nodes = new Set(Object.values(profile.counts).flatMap((byNode) => Object.keys(byNode)));
    expect(nodes.size).toBe(1);
    const viewSum = Object.values(profile.counts.view ?? {}).reduce((a, b) => a + b, 0);
    const halfLife = profile.halfLifeMs ?? 3 * 24 * 3600 * 1000;
    const decayed = viewSum * 2 ** ((Date.now() - profile.landmark) / -halfLife);
    expect(decayed).toBeGreaterThan(2.9);
    expect(decayed).toBeLessThan(3.1);
  });

  it('applies events the edge never stored, and a redelivered batch changes nothing', async () => {
    const visitor = 'redelivered-visitor';
    // More events than the profile's own `seen` window: only the durable (visitor, id) marks can dedupe them.
    const message: QueueMessage = { kind: 'events', events: clicks(visitor, 'r', running.slice(0, 40)) };
    await enqueue([message]);
    await waitFor(async () => expect(await marked(visitor)).toHaveLength(40));
    const first = await storedProfile(visitor);
    expect(first).not.toBeNull();
    expect(Object.keys(first!.affinities).length).toBeGreaterThan(0);
    // The same batch again, then a sentinel behind it: once the sentinel is applied, the redelivery was handled.
    await enqueue([
      message,
      { kind: 'events', events: clicks('sentinel-visitor', 's', running.slice(0, 1)) },
    ]);
    await waitFor(async () => expect(await marked('sentinel-visitor')).toHaveLength(1));
    expect(await storedProfile(visitor)).toEqual(first);
  });

  it('retries a message whose apply failed, and applies it once', async () => {
    const visitor = 'fail-once-visitor';
    await enqueue([{ kind: 'events', events: clicks(visitor, 'f', running.slice(0, 3)) }]);
    await waitFor(async () => expect(await marked(visitor)).toEqual(['f-0', 'f-1', 'f-2']));
    const profile = await storedProfile(visitor);
    expect(profile!.recent).toHaveLength(3);
  });
});
