/**
 * The rate limiter contract, run against the memory limiter and real Redis:
 * a burst is allowed and the next request denied with a wait, tokens come
 * back at the rate, buckets are per key, a costly take drains more, and on
 * Redis two limiter instances (two nodes) share one bucket. Then the crowd
 * and flood scenarios of the `/collect` guard run on Redis buckets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { limitScenarios } from '../../test/helpers/limit-scenarios.js';
import { REDIS_URL, requireRedis, uniquePrefix } from '../../test/helpers/services.js';
import { createMemoryRateLimiter, type RateLimiter } from '../core/limits/index.js';
import { createRedisRateLimiter } from './redis-rate-limit.js';

const RULE = { rate: 2, burst: 3 };
const T0 = 1_700_000_000_000;

async function takeN(l: RateLimiter, key: string, n: number, now: number): Promise<boolean[]> {
  const out: boolean[] = [];
  for (let i = 0; i < n; i++) out.push((await l.take(key, RULE, now)).allowed);
  return out;
}

function contract(name: string, make: () => Promise<RateLimiter>) {
  describe(`rate limiter contract: ${name}`, () => {
    let l: RateLimiter;
    beforeAll(async () => {
      l = await make();
    });
    afterAll(() => l.close());

    it('allows the burst, then denies with the time until the next token', async () => {
      expect(await takeN(l, 'burst', 3, T0)).toEqual([true, true, true]);
      const denied = await l.take('burst', RULE, T0);
      expect(denied).toEqual({ allowed: false, retryAfterMs: 500 });
    });

    it('refills at the rate and never above the burst', async () => {
      await takeN(l, 'refill', 3, T0);
      expect(await takeN(l, 'refill', 2, T0 + 500)).toEqual([true, false]);
      expect(await takeN(l, 'refill', 4, T0 + 60_000)).toEqual([true, true, true, false]);
    });

    it('keeps one bucket per key', async () => {
      await takeN(l, 'a', 3, T0);
      expect((await l.take('a', RULE, T0)).allowed).toBe(false);
      expect((await l.take('b', RULE, T0)).allowed).toBe(true);
    });

    it('charges tokens whatever the bucket holds, into debt one burst deep at most', async () => {
      await l.charge('cost', RULE, T0, 2);
      expect(await takeN(l, 'cost', 2, T0)).toEqual([true, false]);
      // Empty, then charged 10: -3 (not -10), so 2 s until the next token.
      await l.charge('cost', RULE, T0, 10);
      expect(await l.take('cost', RULE, T0)).toEqual({ allowed: false, retryAfterMs: 2000 });
      expect(await takeN(l, 'cost', 2, T0 + 2000)).toEqual([true, false]);
    });

    it('refills nothing when a clock is behind the bucket', async () => {
      await takeN(l, 'skew', 3, T0 + 10_000);
      expect((await l.take('skew', RULE, T0)).allowed).toBe(false);
    });
  });
}

const prefix = uniquePrefix('rl');
contract('memory', async () => createMemoryRateLimiter());
contract('redis', async () => {
  await requireRedis();
  return createRedisRateLimiter({ url: REDIS_URL, prefix });
});
limitScenarios('redis', async () => {
  await requireRedis();
  return createRedisRateLimiter({ url: REDIS_URL, prefix: uniquePrefix('rl-scenario') });
});

describe('redis rate limiter across nodes', () => {
  it('two limiter instances on one Redis drain one bucket', async () => {
    await requireRedis();
    const shared = uniquePrefix('rl-shared');
    const nodeA = await createRedisRateLimiter({ url: REDIS_URL, prefix: shared });
    const nodeB = await createRedisRateLimiter({ url: REDIS_URL, prefix: shared });
    try {
      expect((await nodeA.take('v:x', RULE, T0)).allowed).toBe(true);
      expect((await nodeB.take('v:x', RULE, T0)).allowed).toBe(true);
      expect((await nodeA.take('v:x', RULE, T0)).allowed).toBe(true);
      expect((await nodeB.take('v:x', RULE, T0)).allowed).toBe(false);
      // Concurrent takes from both nodes: exactly the burst gets through.
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? nodeA : nodeB).take('v:y', RULE, T0)),
      );
      expect(results.filter((r) => r.allowed)).toHaveLength(3);
    } finally {
      await nodeA.close();
      await nodeB.close();
    }
  });

  it('gives every bucket a TTL, so one-off keys expire', async () => {
    await requireRedis();
    const p = uniquePrefix('rl-ttl');
    const l = await createRedisRateLimiter({ url: REDIS_URL, prefix: p });
    const { Redis } = await import('ioredis');
    const raw = new Redis(REDIS_URL);
    try {
      await l.take('ip:1.2.3.4', RULE, T0);
      const ttl = await raw.pttl(`${p}rl:ip:1.2.3.4`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(Math.ceil((2 * RULE.burst * 1000) / RULE.rate) + 1000);
    } finally {
      raw.disconnect();
      await l.close();
    }
  });
});
