/**
 * The visitor-isolation suite, unchanged, against the demo shop Worker in
 * workerd (KV profiles), one Worker per consent mode, with a model in KV
 * that has a cold-start list for visitors referred by news.example.
 */
import { readFileSync } from 'node:fs';
import { trainShopModel } from '../../examples/cloudflare/train-model.js';
import type { Target } from '../helpers/node-target.js';
import { referrerEvents, visitorIsolationSuite } from '../http/visitor-isolation.js';
import { startWorker } from './miniflare.js';

const catalog = JSON.parse(
  readFileSync(new URL('../../examples/shop/catalog.json', import.meta.url), 'utf8'),
) as Array<{ id: string; category: string; in_stock: boolean }>;
const running = catalog.filter((p) => p.category === 'running' && p.in_stock).map((p) => p.id);
const hiking = catalog.filter((p) => p.category === 'hiking' && p.in_stock).map((p) => p.id);

async function startWorkerTarget(mode: 'opt-in' | 'opt-out'): Promise<Target> {
  const w = await startWorker('test/workerd/shop-test-worker.ts', {
    kvNamespaces: ['TESSERA_KV'],
    queueProducers: { TESSERA_EVENTS: 'tessera-events' },
    // The same Worker consumes its queue, as deployed: the consumer alone writes profiles.
    queueConsumers: { 'tessera-events': { maxBatchSize: 100, maxBatchTimeout: 1, retryDelay: 1 } },
    bindings: {
      TESSERA_SECRET: 'isolation-suite-secret-isolation-suite-0',
      TESSERA_CONSENT_MODE: mode,
      TESSERA_SECURE_COOKIES: 'false',
    },
  });
  const kv = await w.kv('TESSERA_KV');
  await kv.put('model/current.tsra', await trainShopModel(undefined, referrerEvents(hiking)));
  return {
    baseUrl: w.baseUrl,
    profileCount: async () => 0,
    async eventCount() {
      const res = await fetch(`${w.baseUrl}/__test/events`);
      return ((await res.json()) as { count: number }).count;
    },
    close: () => w.close(),
  };
}

visitorIsolationSuite('Cloudflare Worker in workerd, KV store', startWorkerTarget, { running });
