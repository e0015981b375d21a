/**
 * Token buckets for `/collect`: a port (`RateLimiter`) so one node can keep
 * its buckets in memory and a cluster can share them in Redis, and the memory
 * implementation. A bucket holds at most `burst` tokens and refills at `rate`
 * tokens a second; each request takes one. A request found costlier once it
 * was answered (a junk batch) is charged the rest afterwards: the charge
 * spends whatever is there and may leave the bucket in debt, one burst deep
 * at most, so the next request waits for the debt to refill too (an empty
 * floor would let one junk batch in every time a single token came back).
 * @module
 */

export interface BucketRule {
  /** Tokens added per second. */
  rate: number;
  /** Most tokens a bucket holds (the burst a quiet client may send at once). */
  burst: number;
}

export interface TakeResult {
  allowed: boolean;
  /** When denied: how long until one token is back (ms, ≥ 1). 0 when allowed. */
  retryAfterMs: number;
}

/** Where buckets live. `now` comes from the caller so every backend refills the same way. */
export interface RateLimiter {
  readonly name: string;
  take(key: string, rule: BucketRule, now: number): Promise<TakeResult>;
  /** Spends `tokens` whatever the bucket holds, down to `-burst`. */
  charge(key: string, rule: BucketRule, now: number, tokens: number): Promise<void>;
  /**
   * `take` without a promise, for a limiter whose buckets live in this
   * process: 0 when allowed, else ms until a token is back. With it (and
   * `chargeNow`) a throttled request is answered in the same tick it was
   * read, and allocates nothing to be told no.
   */
  takeNow?(key: string, rule: BucketRule, now: number): number;
  /** `charge` without a promise (see `takeNow`). */
  chargeNow?(key: string, rule: BucketRule, now: number, tokens: number): void;
  close(): Promise<void>;
}

export interface BucketState {
  tokens: number;
  at: number;
}

function refill(state: BucketState | undefined, rule: BucketRule, now: number): BucketState {
  const tokens = state?.tokens ?? rule.burst;
  const at = state?.at ?? now;
  // A clock that went backwards (another node's) refills nothing rather than draining.
  if (now <= at) return { tokens, at };
  return { tokens: Math.min(rule.burst, tokens + ((now - at) * rule.rate) / 1000), at: now };
}

/** The refill-and-take step, shared by the memory limiter and mirrored by the Redis script. */
export function takeToken(
  state: BucketState | undefined,
  rule: BucketRule,
  now: number,
): { state: BucketState; result: TakeResult } {
  const { tokens, at } = refill(state, rule, now);
  if (tokens >= 1) return { state: { tokens: tokens - 1, at }, result: { allowed: true, retryAfterMs: 0 } };
  const retryAfterMs = Math.max(1, Math.ceil(((1 - tokens) * 1000) / rule.rate));
  return { state: { tokens, at }, result: { allowed: false, retryAfterMs } };
}

/** The refill-and-charge step (also mirrored by the Redis script). */
export function chargeTokens(
  state: BucketState | undefined,
  rule: BucketRule,
  now: number,
  cost: number,
): BucketState {
  const { tokens, at } = refill(state, rule, now);
  return { tokens: Math.max(-rule.burst, tokens - cost), at };
}

/** A memory bucket, changed in place; `seen` is when it last moved to the recent end of the Map. */
interface LiveBucket extends BucketState {
  seen: number;
}

/** Refill in place (same arithmetic as `refill`). */
function refillLive(b: LiveBucket, rule: BucketRule, now: number): void {
  if (now <= b.at) return;
  b.tokens = Math.min(rule.burst, b.tokens + ((now - b.at) * rule.rate) / 1000);
  b.at = now;
}

/** How often a hot bucket moves to the recent end of the Map (a delete and a set): enough for LRU. */
const RECENCY_MS = 1000;

/**
 * Buckets in a Map, bounded: a flood with a fresh cookie per request would
 * otherwise grow it without end. The least recently used bucket goes first
 * (recency kept to the second); losing one only hands that key a full bucket
 * again. Buckets change in place: a request allocates nothing to take a
 * token, or to be refused one.
 */
export function createMemoryRateLimiter(opts: { maxKeys?: number } = {}): RateLimiter & { size(): number } {
  const maxKeys = opts.maxKeys ?? 100_000;
  const buckets = new Map<string, LiveBucket>();
  const bucketOf = (key: string, rule: BucketRule, now: number): LiveBucket => {
    let b = buckets.get(key);
    if (b === undefined) {
      b = { tokens: rule.burst, at: now, seen: now };
      buckets.set(key, b);
      if (buckets.size > maxKeys) {
        const oldest = buckets.keys().next().value;
        if (oldest !== undefined) buckets.delete(oldest);
      }
    } else if (now - b.seen >= RECENCY_MS) {
      b.seen = now;
      buckets.delete(key); // re-insert: Map order is the recency order
      buckets.set(key, b);
    }
    refillLive(b, rule, now);
    return b;
  };
  const takeNow = (key: string, rule: BucketRule, now: number): number => {
    const b = bucketOf(key, rule, now);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - b.tokens) * 1000) / rule.rate));
  };
  const chargeNow = (key: string, rule: BucketRule, now: number, tokens: number): void => {
    const b = bucketOf(key, rule, now);
    b.tokens = Math.max(-rule.burst, b.tokens - tokens);
  };
  return {
    name: 'memory',
    takeNow,
    chargeNow,
    async take(key, rule, now) {
      const wait = takeNow(key, rule, now);
      return wait === 0 ? { allowed: true, retryAfterMs: 0 } : { allowed: false, retryAfterMs: wait };
    },
    async charge(key, rule, now, tokens) {
      chargeNow(key, rule, now, tokens);
    },
    size: () => buckets.size,
    async close() {
      buckets.clear();
    },
  };
}
