/**
 * The demo shop Worker with a `TESSERA_LEDGER` Durable Object bound, in two
 * isolates: the experiment ledger goes to the object, not to KV, and what one
 * isolate stored the other reads.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DurableObjectNamespaceLike } from '../../src/connections/cloudflare-bindings.js';
import { createDurableObjectLedgerStore } from '../../src/ledgers/durable-object.js';
import { type RunningIsolates, startIsolates } from './isolates.js';

const TOKEN = 'ledger-binding-admin-token-0123456789';
let w: RunningIsolates;

beforeAll(async () => {
  w = await startIsolates('test/workerd/shop-test-worker.ts', 2, {
    kvNamespaces: { TESSERA_KV: 'tessera-kv' },
    durableObjects: { TESSERA_LEDGER: { className: 'TesseraLedger', scriptName: 'isolate-0' } },
    bindings: {
      TESSERA_SECRET: 'ledger-binding-secret-ledger-binding-00',
      TESSERA_SECURE_COOKIES: 'false',
      TESSERA_ADMIN_TOKEN: TOKEN,
    },
  });
}, 60_000);
afterAll(() => w?.close());

const api = (base: string, method: string, path: string) =>
  fetch(`${base}/admin/api/${path}`, { method, headers: { authorization: `Bearer ${TOKEN}` } });

it('keeps experiment statuses in the Durable Object, shared by isolates, and none in KV', async () => {
  const [a, b] = w.baseUrls as [string, string];
  expect((await api(a, 'POST', 'experiments/recs-strategy/resume')).status).toBe(200);
  const namespace = (await w.mf.getDurableObjectNamespace(
    'TESSERA_LEDGER',
    'isolate-0',
  )) as unknown as DurableObjectNamespaceLike;
  const stored = await createDurableObjectLedgerStore({ namespace }).load();
  expect(stored.status['recs-strategy']?.value).toEqual({ status: 'running' });
  const kv = await w.kv('TESSERA_KV');
  expect((await kv.list({ prefix: 'ls:' })).keys).toEqual([]);
  expect((await kv.list({ prefix: 'lc:' })).keys).toEqual([]);
  // The other isolate, started after, reads the status from the object.
  const res = await api(b, 'GET', 'experiments');
  const body = (await res.json()) as { experiments: Array<{ key: string; status: string }> };
  expect(body.experiments.find((e) => e.key === 'recs-strategy')?.status).toBe('running');
});
