/**
 * The Cloudflare KV ledger store through the shared ledger suite, against
 * Miniflare's KV (workerd's own implementation, not a mock); a second handle
 * on the namespace is what a new isolate (or a restarted Worker) opens.
 */
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll } from 'vitest';
import type { KVNamespaceLike } from '../../src/connections/cloudflare-bindings.js';
import { createKvLedgerStore } from '../../src/ledgers/cloudflare-kv.js';
import { testLedgerStore } from './ledger-store.js';

let mf: Miniflare;
let kv: KVNamespaceLike;
let run = 0;

beforeAll(async () => {
  mf = new Miniflare({
    modules: true,
    script: 'export default { fetch() { return new Response(null, { status: 204 }); } }',
    kvNamespaces: ['LEDGER'],
  });
  kv = (await mf.getKVNamespace('LEDGER')) as unknown as KVNamespaceLike;
});
afterAll(async () => {
  await mf?.dispose();
});

testLedgerStore('cloudflare-kv (Miniflare)', async () => {
  const prefix = `t${run++}:`;
  const store = createKvLedgerStore({ kv, prefix });
  return {
    store,
    reopen: async () => createKvLedgerStore({ kv, prefix }),
    cleanup: () => store.close(),
  };
});
