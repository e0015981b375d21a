/**
 * What `/collect` checks before reading a body: URL and cookie sizes, that a
 * browser did not send it from another site (a cross-site `text/plain` POST
 * carries the visitor's cookies and could withdraw their consent), then one
 * token from the visitor's bucket and one from the client IP's. A denied
 * request gets 429 with `Retry-After` and a JSON message. If the limiter's
 * backend fails (Redis down), the request goes through: a limiter outage must
 * not turn into a collection outage. The failure is logged once a minute.
 * @module
 */
import { fnv1a64 } from '../cache/fnv.js';
import type { RequestLike } from '../context.js';
import { parseCookies } from '../context.js';
import { TesseraError } from '../errors.js';
import { errorReply, type Reply } from '../http/reply.js';
import { crossSiteReason, normalizeOrigin } from '../http/same-origin.js';
import type { Logger } from '../ports.js';
import { clientIpOf, type RequestWithClientIp } from './client-ip.js';
import { checkCookieLength, checkUrlLength, DEFAULT_SIZE_LIMITS, type SizeLimits } from './request-size.js';
import type { BucketRule, RateLimiter } from './token-bucket.js';

export interface LimitSettings extends SizeLimits {
  /** Batches per visitor id (default 20/s, burst 40). */
  perVisitor: BucketRule;
  /** Batches per client IP (default 50/s, burst 100). */
  perIp: BucketRule;
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
  perIp: { rate: 50, burst: 100 },
};

export interface CollectGuard {
  /** A 4xx reply when the request must stop here, else undefined. Throws TesseraError for size limits and cross-site posts. */
  check(req: RequestLike): Promise<Reply | undefined>;
}

const MAX_KEY_LENGTH = 128;

export function createCollectGuard(opts: {
  settings: LimitSettings;
  limiter: RateLimiter;
  idCookie: string;
  logger: Logger;
  now: () => number;
}): CollectGuard {
  const { settings, limiter } = opts;
  const allowedOrigins = (settings.allowedOrigins ?? []).map(normalizeOrigin);
  let lastWarn = Number.NEGATIVE_INFINITY;

  async function take(key: string, rule: BucketRule, now: number): Promise<number> {
    try {
      const r = await limiter.take(key, rule, now);
      return r.allowed ? 0 : r.retryAfterMs;
    } catch (e) {
      if (now - lastWarn > 60_000) {
        lastWarn = now;
        opts.logger.warn(`[tessera] [limits] ${limiter.name} rate limiter failed; letting requests through`, {
          error: String(e),
        });
      }
      return 0;
    }
  }

  return {
    async check(req) {
      checkUrlLength(req, settings);
      checkCookieLength(req, settings);
      const crossSite = crossSiteReason(req, allowedOrigins);
      if (crossSite !== undefined)
        throw new TesseraError(403, `[tessera] [collect] cross-site post refused: ${crossSite}`);
      const now = opts.now();
      // The raw cookie value, unverified: checking the signature costs an HMAC a
      // flood should not get for free, and a forged id only gets its own bucket
      // (the per-IP bucket still holds). The bucket key is a hash of the cookie,
      // so a shared limiter store (Redis) never holds a visitor id.
      const id = parseCookies(req.headers.get('cookie'))[opts.idCookie];
      if (id) {
        const wait = await take(`v:${fnv1a64(id.slice(0, MAX_KEY_LENGTH))}`, settings.perVisitor, now);
        if (wait > 0) return tooMany('visitor', wait);
      }
      const ip = clientIpOf(req as RequestWithClientIp, settings.trustedIpHeader);
      if (ip) {
        const wait = await take(`ip:${fnv1a64(ip)}`, settings.perIp, now);
        if (wait > 0) return tooMany('client IP', wait);
      }
      return undefined;
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
