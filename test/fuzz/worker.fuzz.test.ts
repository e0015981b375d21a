/**
 * The fuzz grammar against the demo shop Worker in workerd (Miniflare), the
 * same checks as on Node: fewer inputs, since each one crosses two processes.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { trainShopModel } from '../../examples/cloudflare/train-model.js';
import { type RunningWorker, startWorker } from '../workerd/miniflare.js';
import { hostileRequest } from './grammar.js';
import { newCounts, report, sendChecked } from './wire.js';

let w: RunningWorker;
const counts = newCounts();
const item = 'p-0001';

beforeAll(async () => {
  w = await startWorker('test/workerd/shop-test-worker.ts', {
    kvNamespaces: ['TESSERA_KV'],
    queueProducers: { TESSERA_EVENTS: 'tessera-events' },
    bindings: {
      TESSERA_SECRET: 'worker-fuzz-secret-worker-fuzz-secret-000',
      TESSERA_CONSENT_MODE: 'opt-out',
      TESSERA_SECURE_COOKIES: 'false',
    },
  });
  await (await w.kv('TESSERA_KV')).put('model/current.tsra', await trainShopModel());
}, 60_000);

afterAll(async () => {
  console.log(report('the Worker in workerd', counts));
  await w?.close();
});

describe('the Worker in workerd under hostile requests', () => {
  it('answers every route with encoded control, non-ASCII and smuggled characters and stays up', async () => {
    await fc.assert(
      fc.asyncProperty(hostileRequest(item), (r) => sendChecked(w.baseUrl, r, counts)),
      { numRuns: 1500 },
    );
  }, 120_000);
});
