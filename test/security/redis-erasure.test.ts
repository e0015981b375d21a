/**
 * Erasure on Redis: after DELETE /privacy/me, no key or value under the
 * deployment's prefix (profiles, links, the Redis Streams event log, dedupe
 * sets) mentions the visitor id, the item only they viewed, or their user id.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jarFetch } from '../helpers/cookie-jar.js';
import { REDIS_URL, requireRedis, uniquePrefix } from '../helpers/services.js';
import { collect, consentingVisitor, type SecurityTarget, startSecurityApp } from './app.js';

const prefix = uniquePrefix('erase');
let t: SecurityTarget;
let redis: Redis;

beforeAll(async () => {
  await requireRedis();
  t = await startSecurityApp({ redis: { url: REDIS_URL, prefix } });
  redis = new Redis(REDIS_URL, { lazyConnect: false });
}, 60_000);

afterAll(async () => {
  await t?.close();
  if (redis) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
});

/** Every key name and every value under the prefix, as one string. */
/**
 * Every key and value under the prefix. `models: false` leaves out the model
 * registry: a trained artifact names every catalog item (so "an item only
 * they viewed" is in it by design); ids are still looked for there.
 */
async function everythingStored(o: { models?: boolean } = {}): Promise<string> {
  const parts: string[] = [];
  for (const key of await redis.keys(`${prefix}*`)) {
    if (o.models === false && key.startsWith(`${prefix}:models:`)) continue;
    parts.push(key);
    const type = await redis.type(key);
    if (type === 'string') parts.push((await redis.getBuffer(key))?.toString('latin1') ?? '');
    else if (type === 'hash') parts.push(JSON.stringify(await redis.hgetall(key)));
    else if (type === 'set') parts.push(JSON.stringify(await redis.smembers(key)));
    else if (type === 'zset') parts.push(JSON.stringify(await redis.zrange(key, '0', '-1')));
    else if (type === 'list') parts.push(JSON.stringify(await redis.lrange(key, '0', '-1')));
    else if (type === 'stream') parts.push(JSON.stringify(await redis.xrange(key, '-', '+')));
  }
  return parts.join('\n');
}

describe('erasure on Redis', () => {
  it('leaves no trace of the visitor in any key or value', async () => {
    const jar = await consentingVisitor(t.base);
    expect((await jarFetch(jar, `${t.base}/product/p-0123`)).status).toBe(200);
    await collect(t.base, jar, [
      { type: 'click', item: 'p-0123' },
      { type: 'identify', props: { userId: 'user-redis-erase-9' } },
    ]);
    await t.app.engine.idle();
    const id = jar.cookies.get('tsr_id')!.slice(0, 22);
    // Retention on Redis is a TTL on the profile, refreshed by every write (365 days by default).
    const ttl = await redis.ttl(`${prefix}:p:${id}`);
    expect(ttl).toBeGreaterThan(364 * 86_400);
    expect(ttl).toBeLessThanOrEqual(365 * 86_400);
    const before = await everythingStored();
    expect(before).toContain(id);
    expect(await everythingStored({ models: false })).toContain('p-0123');
    expect(before).not.toContain('user-redis-erase-9');

    const del = await jarFetch(jar, `${t.base}/privacy/me`, {
      method: 'DELETE',
      headers: { 'x-tessera-csrf': '1' },
    });
    expect(del.status).toBe(200);
    const after = await everythingStored();
    const afterOutsideModels = await everythingStored({ models: false });
    for (const [needle, where] of [
      [id, after],
      ['user-redis-erase-9', after],
      ['p-0123', afterOutsideModels],
    ] as const) {
      const at = where.indexOf(needle);
      expect(at, `${needle} still in: ${JSON.stringify(where.slice(Math.max(0, at - 300), at + 100))}`).toBe(
        -1,
      );
    }
    expect(t.app.engine.profiles.held(id)).toBeUndefined();
  });
});
