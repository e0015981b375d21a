/**
 * The demo shop Worker with a `TESSERA_LEDGER` Durable Object bound, in two
 * isolates: the experiment ledger goes to the object, not to KV, and what one
 * isolate stored the other reads; a visitor served by both at once counts
 * once, and `DELETE /privacy/me` drops the visitor's marks from the object.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DurableObjectNamespaceLike } from '../../src/connections/cloudflare-bindings.js';
import { sumCounter } from '../../src/core/experiments/ledger-state.js';
import type { LedgerHit } from '../../src/core/experiments/ledger-store.js';
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
      TESSERA_CONSENT_MODE: 'opt-out',
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

it('counts a visitor’s exposure once however many isolates serve them at once, and erasure drops the mark', async () => {
  const [a, b] = w.baseUrls as [string, string];
  await api(a, 'POST', 'experiments/recs-strategy/resume');
  const first = await fetch(`${a}/`);
  await first.text();
  const idCookie = first.headers.getSetCookie().find((c) => c.startsWith('tsr_id='));
  expect(idCookie).toBeTruthy();
  const cookie = idCookie!.split(';')[0]!;
  const visitor = cookie.slice('tsr_id='.length).split('.')[0]!;
  // Eight pages at once through both isolates, then wait for their background writes.
  await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      fetch(`${i % 2 ? b : a}/`, { headers: { cookie } }).then((r) => r.text()),
    ),
  );
  const namespace = (await w.mf.getDurableObjectNamespace(
    'TESSERA_LEDGER',
    'isolate-0',
  )) as unknown as DurableObjectNamespaceLike;
  const store = createDurableObjectLedgerStore({ namespace });
  const exposures = async () => {
    const s = await store.load();
    return Object.entries(s.counters)
      .filter(([k]) => k.startsWith('recs-strategy\u0001') && k.endsWith('\u0001exposed'))
      .reduce((n, [, c]) => n + sumCounter(c), 0);
  };
  await expect.poll(exposures, { timeout: 5_000 }).toBe(1);
  // Still exactly one after every background write has had time to land.
  await new Promise((r) => setTimeout(r, 300));
  expect(await exposures()).toBe(1);
  const exposure = (arm: string): LedgerHit => ({
    experiment: 'recs-strategy',
    visitor,
    counter: 'exposed',
    mark: 'x',
    amount: 1,
    arm,
    segment: '*',
  });
  // The mark is held for this id: the same exposure from another node does not count.
  expect(await store.count('probe', [exposure('popular')])).toEqual([]);

  const erased = await fetch(`${b}/privacy/me`, {
    method: 'DELETE',
    headers: { cookie, 'x-tessera-csrf': '1' },
  });
  expect(erased.status).toBe(200);
  // Without the mark the id is new to the ledger (the count stays: it holds no id).
  expect((await store.count('probe', [exposure('popular')])).length).toBe(1);
});
