/**
 * The HTTP behaviour suite, unchanged, against the demo shop as a Hono app
 * in workerd (Miniflare) with Tessera's middleware: the native HTMLRewriter,
 * in-isolate memory stores, the model from KV.
 */
import { readFileSync } from 'node:fs';
import { trainShopModel } from '../../examples/cloudflare/train-model.js';
import type { Target } from '../helpers/node-target.js';
import { httpBehaviourSuite } from '../http/behaviour.js';
import { startWorker } from '../workerd/miniflare.js';

const catalog = JSON.parse(
  readFileSync(new URL('../../examples/shop/catalog.json', import.meta.url), 'utf8'),
) as Array<{ id: string; category: string; in_stock: boolean }>;
const running = catalog.filter((p) => p.category === 'running' && p.in_stock).map((p) => p.id);

async function startHonoWorker(): Promise<Target> {
  const w = await startWorker('test/frameworks/hono-worker.ts', { kvNamespaces: ['TESSERA_KV'] });
  const kv = await w.kv('TESSERA_KV');
  await kv.put('model/current.tsra', await trainShopModel());
  const count = async (what: string) =>
    ((await (await fetch(`${w.baseUrl}/__test/${what}`)).json()) as { count: number }).count;
  return {
    baseUrl: w.baseUrl,
    profileCount: () => count('profiles'),
    eventCount: () => count('events'),
    close: () => w.close(),
  };
}

httpBehaviourSuite('Hono in workerd (Miniflare)', startHonoWorker, { running });
