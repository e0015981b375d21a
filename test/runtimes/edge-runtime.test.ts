/**
 * Vercel Edge: the Redis REST profile store (Upstash / Vercel KV protocol)
 * against the conformance suite, through a loopback REST adapter in front of
 * the real local Redis; then the HTTP behaviour and hardening suites,
 * unchanged, against the Vercel Edge shop (examples/vercel-edge/shop.ts)
 * running in Vercel's `edge-runtime` (`EdgeRuntime` + `runServer`), its
 * profiles in that Redis over REST and its model fetched over HTTP.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EdgeRuntime, runServer } from 'edge-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainShopModel } from '../../examples/cloudflare/train-model.js';
import { createRedisRestClient } from '../../src/connections/redis-rest.js';
import { createRedisRestProfileStore } from '../../src/profiles/redis-rest.js';
import { testProfileStore } from '../conformance/profile-store.js';
import type { Target } from '../helpers/node-target.js';
import { type RedisRestAdapter, startRedisRestAdapter } from '../helpers/redis-rest-adapter.js';
import { uniquePrefix } from '../helpers/services.js';
import { httpBehaviourSuite } from '../http/behaviour.js';
import { httpHardeningSuite } from '../http/hardening.js';
import { bundle } from './spawn-runtime.js';

const catalog = JSON.parse(
  readFileSync(new URL('../../examples/shop/catalog.json', import.meta.url), 'utf8'),
) as Array<{ id: string; category: string; in_stock: boolean }>;
const running = catalog.filter((p) => p.category === 'running' && p.in_stock).map((p) => p.id);

let adapter: RedisRestAdapter;
let code: string;
beforeAll(async () => {
  adapter = await startRedisRestAdapter({ model: await trainShopModel() });
  const dir = mkdtempSync(join(tmpdir(), 'tessera-edge-'));
  code = readFileSync(await bundle('test/runtimes/edge-shop-worker.ts', dir, [], 'iife'), 'utf8');
  rmSync(dir, { recursive: true, force: true });
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

async function startEdgeTarget(): Promise<Target> {
  const prefix = uniquePrefix(':edge:');
  const runtime = new EdgeRuntime({
    initialCode: code,
    extend: (context) =>
      Object.assign(context, {
        process: {
          env: {
            TESSERA_SECRET: 'http-suite-secret-http-suite-secret-00',
            TESSERA_CONSENT_MODE: 'opt-in',
            TESSERA_SECURE_COOKIES: 'false',
            KV_REST_API_URL: adapter.url,
            KV_REST_API_TOKEN: adapter.token,
            TESSERA_REDIS_PREFIX: prefix,
            TESSERA_MODEL_URL: `${adapter.url}/model`,
          },
        },
      }),
  });
  const server = await runServer({ runtime, port: 0, host: '127.0.0.1' });
  const baseUrl = server.url.replace(/\/$/, '');
  const count = async (what: string) =>
    ((await (await fetch(`${baseUrl}/__test/${what}`)).json()) as { count: number }).count;
  return {
    baseUrl,
    profileCount: () => count('profiles'),
    eventCount: () => count('events'),
    close: () => server.close(),
  };
}

httpBehaviourSuite('Vercel edge-runtime, Redis REST store', startEdgeTarget, { running });
httpHardeningSuite('Vercel edge-runtime, Redis REST store', startEdgeTarget, { item: running[0]! });
