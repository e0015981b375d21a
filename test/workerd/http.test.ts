/**
 * The HTTP behaviour suite, unchanged, against the demo shop Worker in
 * workerd: KV profiles (with write coalescing), events to a Queue binding,
 * the native HTMLRewriter, the model artifact read from KV once per isolate.
 */
import { readFileSync } from 'node:fs';
import { expect, vi } from 'vitest';
import { trainShopModel } from '../../examples/cloudflare/train-model.js';
import type { Target } from '../helpers/node-target.js';
import { httpBehaviourSuite } from '../http/behaviour.js';
import { httpHardeningSuite } from '../http/hardening.js';
import { startWorker } from './miniflare.js';

const catalog = JSON.parse(
  readFileSync(new URL('../../examples/shop/catalog.json', import.meta.url), 'utf8'),
) as Array<{ id: string; category: string; in_stock: boolean }>;
const running = catalog.filter((p) => p.category === 'running' && p.in_stock).map((p) => p.id);

async function startWorkerTarget(): Promise<Target> {
  const w = await startWorker('test/workerd/shop-test-worker.ts', {
    kvNamespaces: ['TESSERA_KV'],
    queueProducers: { TESSERA_EVENTS: 'tessera-events' },
    // The same Worker consumes its queue, as deployed: the consumer alone writes profiles.
    queueConsumers: { 'tessera-events': { maxBatchSize: 100, maxBatchTimeout: 1, retryDelay: 1 } },
    bindings: {
      TESSERA_SECRET: 'http-suite-secret-http-suite-secret-00',
      TESSERA_CONSENT_MODE: 'opt-in',
      TESSERA_SECURE_COOKIES: 'false',
    },
  });
  const kv = await w.kv('TESSERA_KV');
  await kv.put('model/current.tsra', await trainShopModel());
  return {
    baseUrl: w.baseUrl,
    // Profiles are read where the Worker wrote them: the workerd-backed KV namespace.
    async profileCount() {
      // The queue's consumer writes profiles: count once it has taken everything sent.
      await vi.waitFor(
        async () => {
          const res = await fetch(`${w.baseUrl}/__test/drained`);
          expect(await res.json()).toMatchObject({ drained: true });
        },
        { timeout: 15_000, interval: 50 },
      );
      let n = 0;
      let cursor: string | undefined;
      do {
        const page = await kv.list({ prefix: 'p:', ...(cursor ? { cursor } : {}) });
        // Erasure tombstones (`p:erased:<keyed hash>`, privacy/tombstones.ts) hold no profile.
        n += page.keys.filter((k) => !k.name.startsWith('p:erased:')).length;
        cursor = page.list_complete ? undefined : page.cursor;
      } while (cursor);
      return n;
    },
    async eventCount() {
      const res = await fetch(`${w.baseUrl}/__test/events`);
      return ((await res.json()) as { count: number }).count;
    },
    close: () => w.close(),
  };
}

httpBehaviourSuite('Cloudflare Worker in workerd, KV store', startWorkerTarget, { running });
httpHardeningSuite('Cloudflare Worker in workerd, KV store', startWorkerTarget, { item: running[0]! });
