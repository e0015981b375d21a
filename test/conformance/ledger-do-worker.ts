/**
 * A test Worker for the Durable Object ledger: it exports the `TesseraLedger`
 * class, and `POST /count` runs the driver in this isolate
 * (`{ node, prefix, hits }` → the counted hits), as an engine in a Worker
 * isolate would call it.
 */
import type { DurableObjectNamespaceLike } from '../../src/connections/cloudflare-bindings.js';
import type { LedgerHit } from '../../src/core/experiments/ledger-store.js';
import { createDurableObjectLedgerStore, TesseraLedger } from '../../src/ledgers/durable-object.js';

export { TesseraLedger };

export default {
  async fetch(request: Request, env: { LEDGER: DurableObjectNamespaceLike }): Promise<Response> {
    const path = new URL(request.url).pathname;
    const body = (await request.json()) as { node: string; prefix: string; hits?: LedgerHit[] };
    const store = createDurableObjectLedgerStore({ namespace: env.LEDGER, prefix: body.prefix });
    if (path === '/count') return Response.json(await store.count(body.node, body.hits ?? []));
    if (path === '/load') return Response.json(await store.load());
    return new Response('not found', { status: 404 });
  },
};
