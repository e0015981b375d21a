/**
 * The Redis drivers against the real Redis on 127.0.0.1:6379: the profile
 * store and the Streams event log through the shared suites, the pub/sub bus
 * through the bus suite, and the cases only Redis has (TTL, cross-connection
 * races, fail-fast when the server is not there).
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createRedisBus } from '../../src/bus/redis.js';
import {
  openRedis,
  type RedisArg,
  type RedisConnection,
  type RedisLike,
} from '../../src/connections/redis.js';
import { DependencyDownError } from '../../src/connections/status.js';
import { mergeProfiles } from '../../src/core/profile/index.js';
import { createRedisStreamsLog } from '../../src/logs/redis-streams.js';
import { createRedisProfileStore, createRedisStore } from '../../src/profiles/redis.js';
import { REDIS_URL, requireRedis, uniquePrefix } from '../helpers/services.js';
import { testBus } from './bus.js';
import { testEventLog } from './event-log.js';
import { canonical, delta, logged } from './fixtures.js';
import { testProfileStore } from './profile-store.js';

let admin: RedisConnection;
beforeAll(async () => {
  await requireRedis();
  admin = await openRedis({ url: REDIS_URL });
});
afterAll(async () => {
  await admin.close();
});

/** Removes every key under a prefix (SCAN + UNLINK). */
async function dropPrefix(prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = (await admin.run('scan', (c) =>
      c.call('SCAN', cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000),
    )) as [string, string[]];
    cursor = next;
    if (keys.length) await admin.run('unlink', (c) => c.call('UNLINK', ...keys));
  } while (cursor !== '0');
}

/** A fresh prefix whose keys are dropped when the test ends, passed or failed. */
function scratchPrefix(): string {
  const prefix = uniquePrefix(':');
  onTestFinished(() => dropPrefix(prefix));
  return prefix;
}

async function keysUnder(prefix: string): Promise<string[]> {
  return (await admin.run('keys', (c) => c.call('KEYS', `${prefix}*`))) as string[];
}

testProfileStore('redis', async () => {
  const prefix = uniquePrefix(':');
  const profiles = await createRedisProfileStore({ url: REDIS_URL, prefix });
  return {
    profiles,
    async cleanup() {
      await profiles.close();
      await dropPrefix(prefix);
    },
  };
});

testEventLog('redis-streams', async () => {
  const prefix = uniquePrefix(':');
  const events = await createRedisStreamsLog({ url: REDIS_URL, prefix });
  return {
    events,
    async cleanup() {
      await events.close();
      await dropPrefix(prefix);
    },
  };
});

testBus('redis', async () => {
  const prefix = uniquePrefix(':');
  const a = await createRedisBus({ url: REDIS_URL, prefix });
  const b = await createRedisBus({ url: REDIS_URL, prefix });
  return {
    a,
    b,
    async cleanup() {
      await a.close();
      await b.close();
    },
  };
});

describe('redis drivers', () => {
  it('keeps profiles under the deployment prefix, apart from another deployment', async () => {
    const [p1, p2] = [scratchPrefix(), scratchPrefix()];
    const one = await createRedisProfileStore({ url: REDIS_URL, prefix: p1 });
    const two = await createRedisProfileStore({ url: REDIS_URL, prefix: p2 });
    await one.merge('v1', delta('node-a', 'sku-1'));
    expect(await two.get('v1')).toBeUndefined();
    expect(await keysUnder(p1)).toEqual([`${p1}p:v1`]);
    await one.close();
    await two.close();
  });

  it('sets the retention TTL on every write and refreshes it', async () => {
    const prefix = scratchPrefix();
    const store = await createRedisProfileStore({ url: REDIS_URL, prefix, ttlSeconds: 300 });
    await store.merge('v1', delta('node-a', 'sku-1'));
    await admin.run('expire', (c) => c.call('EXPIRE', `${prefix}p:v1`, 10));
    await store.merge('v1', delta('node-b', 'sku-2'));
    const ttl = (await admin.run('ttl', (c) => c.call('TTL', `${prefix}p:v1`))) as number;
    expect(ttl).toBeGreaterThan(10);
    expect(ttl).toBeLessThanOrEqual(300);
    await store.close();
  });

  it('loses nothing when two nodes (two connections) merge into one id at once', async () => {
    const prefix = scratchPrefix();
    const a = await createRedisProfileStore({ url: REDIS_URL, prefix });
    const b = await createRedisProfileStore({ url: REDIS_URL, prefix });
    const deltas = Array.from({ length: 30 }, (_, i) => delta(`node-${i}`, `sku-${i}`, i));
    await Promise.all(deltas.map((d, i) => (i % 2 ? a : b).merge('hot', d)));
    const expected = deltas.reduce((acc, d) => mergeProfiles(acc, d));
    expect(canonical(await b.get('hot'))).toEqual(canonical(expected));
    await a.close();
    await b.close();
  });

  it('gives up with a clear error when other writers keep winning (an injected client)', async () => {
    const prefix = scratchPrefix();
    const key = `${prefix}p:v1`;
    const { Redis } = await import('ioredis');
    const real = new Redis(REDIS_URL);
    // Another node writes right after each of our reads and compare-and-sets.
    const racing = new Proxy(real, {
      get(target, prop) {
        if (prop === 'callBuffer') {
          return async (command: string, ...args: RedisArg[]) => {
            const result = await target.callBuffer(command, ...args);
            await target.call('HSET', key, 'v', `other-${Math.random()}`);
            return result;
          };
        }
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as unknown as RedisLike;
    const store = await createRedisProfileStore({ client: racing, prefix, maxMergeAttempts: 3 });
    await expect(store.merge('v1', delta('node-a', 'sku-1'))).rejects.toThrow(
      '[tessera] [redis] merge "v1": gave up after 3 conflicting writes from other nodes',
    );
    await store.close();
    expect(real.status).toBe('ready');
    real.disconnect();
  });

  it('serves profiles and the Streams log from one connection with createRedisStore', async () => {
    const prefix = scratchPrefix();
    const store = await createRedisStore({ url: REDIS_URL, prefix });
    expect(store.status()).toBe('ready');
    await store.profiles.merge('v1', delta('node-a', 'sku-1'));
    await store.events.append([logged('v1', 'e1')]);
    expect(canonical(await store.profiles.get('v1'))).toEqual(canonical(delta('node-a', 'sku-1')));
    expect(await store.events.count()).toBe(1);
    await store.close();
    await expect(store.events.count()).rejects.toThrow(
      /^\[tessera\] \[redis\] count: the event log is closed/,
    );
  });

  it('fails fast with "connection refused" and the address when nothing listens', async () => {
    const store = await createRedisProfileStore({ url: 'redis://127.0.0.1:6399' });
    const log = await createRedisStreamsLog({ url: 'redis://127.0.0.1:6399' });
    const error = await store.get('v1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DependencyDownError);
    expect((error as Error).message).toBe('[tessera] [redis] connection refused (127.0.0.1:6399)');
    expect((error as Error).cause).toBeDefined();
    expect(store.status()).toBe('down');
    await expect(log.append([logged('v1', 'e1')])).rejects.toThrow(
      '[tessera] [redis] connection refused (127.0.0.1:6399)',
    );
    await store.close();
    await log.close();
  });

  it('reports status changes: connecting, then ready, then down after close', async () => {
    const store = await createRedisProfileStore({ url: REDIS_URL, prefix: uniquePrefix(':') });
    const seen: string[] = [store.status()];
    store.onStatus((s) => seen.push(s));
    await store.get('v1');
    await store.close();
    expect(seen[0]).toMatch(/connecting|ready/);
    expect(seen).toContain('ready');
    expect(store.status()).toBe('down');
  });
});
