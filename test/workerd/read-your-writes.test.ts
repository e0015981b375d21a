/**
 * Read-your-writes under load against the demo shop Worker in workerd, as
 * `npm run dev:worker` runs it (KV profiles with coalesced writes, events to
 * a Queue): in one isolate, and in two isolates (two Worker isolates) over
 * one persisted KV namespace, each request to either, as at the edge, where
 * a visitor's next request may reach an isolate that served them before and
 * still holds their profile as it was then.
 */
import { readFileSync } from 'node:fs';
import { trainShopModel } from '../../examples/cloudflare/train-model.js';
import { readYourWritesSuite } from '../http/read-your-writes.js';
import { startIsolates } from './isolates.js';

const catalog = JSON.parse(
  readFileSync(new URL('../../examples/shop/catalog.json', import.meta.url), 'utf8'),
) as Array<{ id: string; category: string; in_stock: boolean }>;
const running = catalog.filter((p) => p.category === 'running' && p.in_stock).map((p) => p.id);

async function startShop(isolates: number) {
  const w = await startIsolates('test/workerd/shop-test-worker.ts', isolates, {
    kvNamespaces: { TESSERA_KV: 'tessera-kv' },
    queueProducers: { TESSERA_EVENTS: 'tessera-events' },
    // The same Worker consumes its queue, as deployed: the consumer alone writes profiles.
    queueConsumers: { 'tessera-events': { maxBatchSize: 100, maxBatchTimeout: 1, retryDelay: 1 } },
    bindings: {
      TESSERA_SECRET: 'read-your-writes-secret-read-your-writes',
      TESSERA_CONSENT_MODE: 'opt-in',
      TESSERA_SECURE_COOKIES: 'false',
    },
  });
  const kv = await w.kv('TESSERA_KV');
  await kv.put('model/current.tsra', await trainShopModel());
  return {
    baseUrl: w.baseUrls[0]!,
    baseUrls: w.baseUrls,
    profileCount: async () => 0,
    eventCount: async () => 0,
    close: () => w.close(),
  };
}

readYourWritesSuite('Cloudflare Worker in workerd, one isolate', () => startShop(1), { running });
readYourWritesSuite('Cloudflare Worker in workerd, two isolates over one KV', () => startShop(2), {
  running,
});
