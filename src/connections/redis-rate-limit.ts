/**
 * `/collect` token buckets in Redis, shared by every node of a deployment: a
 * visitor or IP spreading its requests over nodes still drains one bucket.
 *
 * One Lua script does refill-and-take atomically (the same arithmetic as
 * `takeToken` in src/core/limits), so two nodes can never both spend the last
 * token. Key `<prefix>rl:<key>`: hash { t: tokens, a: last refill ms }, with a
 * TTL of the time a bucket takes to refill completely (plus a second): an idle
 * bucket is full again by then, so dropping it changes nothing, and a flood of
 * one-off keys expires on its own. `now` is the caller's clock (NTP-synced
 * nodes); a clock behind the stored one refills nothing rather than failing.
 * @module
 */
import type { BucketRule, RateLimiter, TakeResult } from '../core/limits/index.js';
import { openRedis, type RedisConnectionOptions } from './redis.js';

export interface RedisRateLimiterOptions extends RedisConnectionOptions {
  /** Prefix of every key, one per deployment (default `tessera:`). */
  prefix?: string;
}

const TAKE = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local h = redis.call('HMGET', KEYS[1], 't', 'a')
local tokens = tonumber(h[1])
local at = tonumber(h[2])
if tokens == nil or at == nil then
  tokens = burst
  at = now
end
if now > at then
  tokens = math.min(burst, tokens + (now - at) * rate / 1000)
  at = now
end
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.max(1, math.ceil((1 - tokens) * 1000 / rate))
end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'a', tostring(at))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return wait
`;

export async function createRedisRateLimiter(opts: RedisRateLimiterOptions = {}): Promise<RateLimiter> {
  const prefix = opts.prefix ?? 'tessera:';
  const conn = await openRedis(opts);
  return {
    name: 'redis',
    async take(key: string, rule: BucketRule, now: number): Promise<TakeResult> {
      const wait = Number(
        await conn.script(
          'rate limit',
          TAKE,
          [`${prefix}rl:${key}`],
          [rule.rate, rule.burst, Math.floor(now)],
        ),
      );
      return { allowed: wait === 0, retryAfterMs: wait };
    },
    close: () => conn.close(),
  };
}
