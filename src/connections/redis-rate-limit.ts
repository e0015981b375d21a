/**
 * `/collect` token buckets in Redis, shared by every node of a deployment: a
 * visitor or IP spreading its requests over nodes still drains one bucket.
 *
 * One Lua script does refill-and-take (or refill-and-charge) atomically (the
 * same arithmetic as `takeToken`/`chargeTokens` in src/core/limits), so two
 * nodes can never both spend the last token. Key `<prefix>rl:<key>`: hash
 * { t: tokens, a: last refill ms }, with a TTL of the time a bucket takes to
 * refill completely from its deepest debt (one burst below empty, after junk
 * was charged), plus a second: an idle
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
local charge = tonumber(ARGV[4])
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
if charge > 0 then
  tokens = math.max(-burst, tokens - charge)
elseif tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.max(1, math.ceil((1 - tokens) * 1000 / rate))
end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'a', tostring(at))
redis.call('PEXPIRE', KEYS[1], math.ceil(2 * burst * 1000 / rate) + 1000)
return wait
`;

export async function createRedisRateLimiter(opts: RedisRateLimiterOptions = {}): Promise<RateLimiter> {
  const prefix = opts.prefix ?? 'tessera:';
  const conn = await openRedis(opts);
  /** The wait in ms (0: allowed); `charge` > 0 spends that many tokens instead of taking one. */
  const run = async (key: string, rule: BucketRule, now: number, charge: number): Promise<number> =>
    Number(
      await conn.script(
        'rate limit',
        TAKE,
        [`${prefix}rl:${key}`],
        [rule.rate, rule.burst, Math.floor(now), charge],
      ),
    );
  return {
    name: 'redis',
    async take(key: string, rule: BucketRule, now: number): Promise<TakeResult> {
      const wait = await run(key, rule, now, 0);
      return { allowed: wait === 0, retryAfterMs: wait };
    },
    async charge(key: string, rule: BucketRule, now: number, tokens: number): Promise<void> {
      if (tokens > 0) await run(key, rule, now, tokens);
    },
    close: () => conn.close(),
  };
}
