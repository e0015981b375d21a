/**
 * The limits around `/collect`: URL and cookie sizes, that a browser did not
 * send it from another site (a cross-site `text/plain` POST carries the
 * visitor's cookies and could withdraw their consent), and token buckets.
 *
 * Limits that stop floods, not crowds. Hundreds of real shoppers can share
 * one address (an office or carrier NAT, a CDN without a trusted client-IP
 * header), so a batch is charged by who sent it:
 *
 * - an established visitor (a `tsr_id` whose signature verifies) spends from
 *   their own bucket (20/s, burst 40): a flood with one valid id stops there;
 * - everything else (no id, a forged or foreign one) spends from the client
 *   IP's bucket (200/s, burst 400): the id-less traffic of a real crowd is its
 *   consent posts and analytics-only visitors, a few a second;
 * - every batch also spends from the IP's ceiling (5,000/s, burst 10,000),
 *   which only an abusive rate reaches: it stops a flooder who minted many ids
 *   (each one costs a page load or a consent post, which the IP bucket limits);
 * - a batch answered with a 4xx (not JSON, no valid event, too large,
 *   cross-site) is junk: it costs `junkCost` tokens (10) instead of one, from
 *   the ceiling and from the bucket that let it in, so junk drains them ten
 *   times faster than real batches.
 *
 * So 500 visitors behind one NAT sending 2 batches/s each (1,000/s) get no
 * 429, while a junk flood from one address gets 429 after a few dozen. The
 * signature check is an HMAC (memoised per cookie value, so a returning
 * visitor costs a Map lookup); the ceiling is taken first, so a flood above
 * it gets no HMAC. Bucket keys are hashes, so a shared limiter store (Redis)
 * never holds a visitor id or an address.
 *
 * A denied request gets 429 with `Retry-After` and a JSON message. If the
 * limiter's backend fails (Redis down), the request goes through: a limiter
 * outage must not turn into a collection outage. The failure is logged once
 * a minute.
 * @module
 */
import { fnv1a64 } from '../cache/fnv.js';
import type { RequestLike } from '../context.js';
import { parseCookies } from '../context.js';
import { isTesseraError, TesseraError } from '../errors.js';
import { errorReply, type Reply } from '../http/reply.js';
import { crossSiteReason, normalizeOrigin } from '../http/same-origin.js';
import type { Logger } from '../ports.js';
import { clientIpOf, type RequestWithClientIp } from './client-ip.js';
import { checkCookieLength, checkUrlLength, DEFAULT_SIZE_LIMITS, type SizeLimits } from './request-size.js';
import type { BucketRule, RateLimiter } from './token-bucket.js';

export interface LimitSettings extends SizeLimits {
  /** Batches per established visitor (a verified id; default 20/s, burst 40). */
  perVisitor: BucketRule;
  /** Batches per client IP without a verified id (default 200/s, burst 400). */
  perIp: BucketRule;
  /**
   * Every batch per client IP, verified ids included (default 5,000/s, burst
   * 10,000); never below `perIp`.
   */
  ipCeiling: BucketRule;
  /** Tokens a batch answered with a 4xx costs, instead of one (default 10). */
  junkCost: number;
  /** Header holding the client IP behind a proxy (`cf-connecting-ip`, `x-forwarded-for`); unset = socket address. */
  trustedIpHeader?: string;
  /**
   * Origins besides the edge's own whose pages may post events (sites whose
   * pages live on another host than the edge), e.g. `https://shop.example`.
   */
  allowedOrigins?: readonly string[];
}

export const DEFAULT_LIMIT_SETTINGS: LimitSettings = {
  ...DEFAULT_SIZE_LIMITS,
  perVisitor: { rate: 20, burst: 40 },
  perIp: { rate: 200, burst: 400 },
  ipCeiling: { rate: 5000, burst: 10_000 },
  junkCost: 10,
};

export interface CollectGuard {
  /**
   * Runs `handle` when the request is within its limits, else answers 429;
   * charges a 4xx answer (returned or thrown) as junk. Throws TesseraError for
   * size limits and cross-site posts.
   */
  run(req: RequestLike, handle: () => Promise<Reply>): Promise<Reply>;
}

const MAX_KEY_LENGTH = 128;

interface Bucket {
  key: string;
  rule: BucketRule;
  who: 'visitor' | 'client IP';
}

export function createCollectGuard(opts: {
  settings: LimitSettings;
  limiter: RateLimiter;
  idCookie: string;
  /** Whether an id cookie's value is one this deployment signed. */
  verifyId: (raw: string) => Promise<boolean>;
  logger: Logger;
  now: () => number;
}): CollectGuard {
  const { settings, limiter } = opts;
  const allowedOrigins = (settings.allowedOrigins ?? []).map(normalizeOrigin);
  // A ceiling below the anonymous rate would quietly lower it (a test rig raising perIp means "no IP limit").
  const ceiling: BucketRule = {
    rate: Math.max(settings.ipCeiling.rate, settings.perIp.rate),
    burst: Math.max(settings.ipCeiling.burst, settings.perIp.burst),
  };
  let lastWarn = Number.NEGATIVE_INFINITY;

  function warn(e: unknown, now: number): void {
    if (now - lastWarn <= 60_000) return;
    lastWarn = now;
    opts.logger.warn(`[tessera] [limits] ${limiter.name} rate limiter failed; letting requests through`, {
      error: String(e),
    });
  }

  async function take(key: string, rule: BucketRule, now: number): Promise<number> {
    try {
      const r = await limiter.take(key, rule, now);
      return r.allowed ? 0 : r.retryAfterMs;
    } catch (e) {
      warn(e, now);
      return 0;
    }
  }

  async function charge(key: string, rule: BucketRule, now: number, tokens: number): Promise<void> {
    try {
      await limiter.charge(key, rule, now, tokens);
    } catch (e) {
      warn(e, now);
    }
  }

  /** The bucket a batch spends from: its visitor's when the id verifies, else its IP's. */
  async function bucketOf(req: RequestLike, ip: string | undefined): Promise<Bucket | undefined> {
    const raw = parseCookies(req.headers.get('cookie'))[opts.idCookie];
    if (raw && raw.length <= MAX_KEY_LENGTH && (await opts.verifyId(raw)))
      return { key: `v:${fnv1a64(raw)}`, rule: settings.perVisitor, who: 'visitor' };
    return ip ? { key: `ip:${fnv1a64(ip)}`, rule: settings.perIp, who: 'client IP' } : undefined;
  }

  return {
    async run(req, handle) {
      checkUrlLength(req, settings);
      const now = opts.now();
      const ip = clientIpOf(req as RequestWithClientIp, settings.trustedIpHeader);
      const ceilingKey = ip ? `ipc:${fnv1a64(ip)}` : undefined;
      if (ceilingKey) {
        const wait = await take(ceilingKey, ceiling, now);
        if (wait > 0) return tooMany('client IP', wait);
      }
      const bucket = await bucketOf(req, ip);
      if (bucket) {
        const wait = await take(bucket.key, bucket.rule, now);
        if (wait > 0) return tooMany(bucket.who, wait);
      }
      // Junk pays the rest of its cost once its answer is known (the batch took one token to get in).
      const chargeJunk = async (status: number) => {
        if (status < 400 || status >= 500 || settings.junkCost <= 1) return;
        const extra = settings.junkCost - 1;
        if (ceilingKey) await charge(ceilingKey, ceiling, now, extra);
        if (bucket) await charge(bucket.key, bucket.rule, now, extra);
      };
      let reply: Reply;
      try {
        checkCookieLength(req, settings);
        const crossSite = crossSiteReason(req, allowedOrigins);
        if (crossSite !== undefined)
          throw new TesseraError(403, `[tessera] [collect] cross-site post refused: ${crossSite}`);
        reply = await handle();
      } catch (e) {
        if (isTesseraError(e)) await chargeJunk(e.status);
        throw e;
      }
      await chargeJunk(reply.status);
      return reply;
    },
  };
}

function tooMany(who: string, waitMs: number): Reply {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  const reply = errorReply(
    new TesseraError(429, `[tessera] [collect] too many batches from this ${who}; retry in ${seconds} s`),
  );
  reply.headers['retry-after'] = String(seconds);
  return reply;
}
