/**
 * Vercel Edge: the Redis REST profile store (Upstash / Vercel KV protocol)
 * against the conformance suite, through a loopback REST adapter in front of
 * the real local Redis; then the HTTP behaviour and hardening suites,
 * unchanged, against the Vercel Edge shop (examples/vercel-edge/shop.ts)
 * running in Vercel's `edge-runtime` (`EdgeRuntime` + `runServer`), its
 * profiles in that Redis over REST and its model fetched over HTTP.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainShopModel } from '../../examples/cloudflare/train-model.js';
import { createRedisRestClient } from '../../src/connections/redis-rest.js';
import { createRedisRestProfileStore } from '../../src/profiles/redis-rest.js';
import { testProfileStore } from '../conformance/profile-store.js';
import { bundleForEdgeRuntime, startEdgeRuntimeTarget } from '../helpers/edge-runtime.js';
import type { Target } from '../helpers/node-target.js';
import { type RedisRestAdapter, startRedisRestAdapter } from '../helpers/redis-rest-adapter.js';
import { uniquePrefix } from '../helpers/services.js';
import { httpBehaviourSuite } from '../http/behaviour.js';
import { httpHardeningSuite } from '../http/hardening.js';

const catalog = JSON.parse(
  readFileSync(new URL('../../examples/shop/catalog.json', import.meta.url), 'utf8'),
) as Array<{ id: string; category: string; in_stock: boolean }>;
const running = catalog.filter((p) => p.category === 'running' && p.in_stock).map((p) => p.id);

let adapter: RedisRestAdapter;
let code: string;
beforeAll(async () => {
  adapter = await startRedisRestAdapter({ model: await trainShopModel() });
  code = await bundleForEdgeRuntime('test/runtimes/edge-shop-worker.ts');
});
afterAll(async () => {
  await adapter?.close();
});

testProfileStore('redis-rest (Upstash protocol, loopback adapter over real Redis)', async () => {
  const client = createRedisRestClient({ url: adapter.url, token: adapter.token });
  const profiles = createRedisRestProfileStore({ client, prefix: uniquePrefix(':rest:') });
  return { profiles, cleanup: () => profiles.close() };
});

describe('redis-rest client', () => {
  it('fails with a redis-rest error when the token is wrong, and says the endpoint answered 401', async () => {
    const client = createRedisRestClient({ url: adapter.url, token: 'wrong' });
    await expect(client.command(['PING'])).rejects.toThrow(/\[tessera\] \[redis-rest\] PING: Unauthorized/);
  });
});

function startEdgeTarget(): Promise<Target> {
  return startEdgeRuntimeTarget(code, {
    KV_REST_API_URL: adapter.url,
    KV_REST_API_TOKEN: adapter.token,
    TESSERA_REDIS_PREFIX: uniquePrefix(':edge:'),
    TESSERA_MODEL_URL: `${adapter.url}/model`,
  });
}

httpBehaviourSuite('Vercel edge-runtime, Redis REST store', startEdgeTarget, { running });
httpHardeningSuite('Vercel edge-runtime, Redis REST store', startEdgeTarget, { item: running[0]! });
