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
 * The limits come before anything else the request could cost: no body is
 * read, no JSON parsed, no cookie record built; with in-process buckets
 * (memory) the 429 is decided without a promise, from buckets changed in
 * place, and its reply is built once per Retry-After value. A refusal costs
 * about 2 µs here (the flood bench: ~35 µs of server CPU all told, most of it
 * Node's HTTP parsing and the socket write).
 *
 * A denied request gets 429 with `Retry-After` and a JSON message. If the
 * limiter's backend fails (Redis down), the request goes through: a limiter
 * outage must not turn into a collection outage. The failure is logged once
 * a minute.
 * @module
 */
import { fnv1a64 } from '../cache/fnv.js';
import type { RequestLike } from '../context.js';
import { cookieValue } from '../context.js';
import { isTesseraError, TesseraError } from '../errors.js';
import { errorReply, type Reply } from '../http/reply.js';
import { crossSiteReason, normalizeOrigin } from '../http/same-origin.js';
import type { Logger } from '../ports.js';
import { requestLogger } from '../request-logger.js';
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
   * size limits and cross-site posts. With a limiter that answers without a
   * promise (memory), a 429 is returned as it is, not in a promise.
   */
  run(req: RequestLike, handle: () => Promise<Reply>): Reply | Promise<Reply>;
}

const MAX_KEY_LENGTH = 128;

interface Bucket {
  key: string;
  rule: BucketRule;
  who: Who;
}

type Who = 'visitor' | 'client IP';

/** The buckets of one client IP: its ceiling's key, and the bucket of its batches without a verified id. */
interface IpKeys {
  ceiling: string;
  anonymous: Bucket;
}

/** Most remembered key hashes per kind: a flood of fresh values empties the memo, nothing more. */
const MAX_MEMO_KEYS = 10_000;

export function createCollectGuard(opts: {
  settings: LimitSettings;
  limiter: RateLimiter;
  idCookie: string;
  /**
   * Whether an id cookie's value is one this deployment signed; a plain
   * boolean when that is known without an HMAC (malformed, verified before).
   */
  verifyId: (raw: string) => boolean | Promise<boolean>;
  logger: Logger;
  now: () => number;
}): CollectGuard {
  const { settings, limiter } = opts;
  const idCookie = opts.idCookie.toLowerCase();
  const allowedOrigins = (settings.allowedOrigins ?? []).map(normalizeOrigin);
  // A ceiling below the anonymous rate would quietly lower it (a test rig raising perIp means "no IP limit").
  const ceiling: BucketRule = {
    rate: Math.max(settings.ipCeiling.rate, settings.perIp.rate),
    burst: Math.max(settings.ipCeiling.burst, settings.perIp.burst),
  };
  // In-process buckets decide without a promise: a flood is refused in the tick it is read.
  const takeNow = limiter.takeNow?.bind(limiter);
  const chargeNow = limiter.chargeNow?.bind(limiter);
  let lastWarn = Number.NEGATIVE_INFINITY;

  // Keys are hashes (a shared store never holds an address or an id); a flood repeats its own.
  const ipKeys = new Map<string, IpKeys>();
  const visitorKeys = new Map<string, Bucket>();
  function keysOfIp(ip: string): IpKeys {
    let k = ipKeys.get(ip);
    if (k === undefined) {
      const h = fnv1a64(ip);
      k = { ceiling: `ipc:${h}`, anonymous: { key: `ip:${h}`, rule: settings.perIp, who: 'client IP' } };
      if (ipKeys.size >= MAX_MEMO_KEYS) ipKeys.clear();
      ipKeys.set(ip, k);
    }
    return k;
  }
  function bucketOfVisitor(raw: string): Bucket {
    let k = visitorKeys.get(raw);
    if (k === undefined) {
      k = { key: `v:${fnv1a64(raw)}`, rule: settings.perVisitor, who: 'visitor' };
      if (visitorKeys.size >= MAX_MEMO_KEYS) visitorKeys.clear();
      visitorKeys.set(raw, k);
    }
    return k;
  }

  /** Once a minute at most; the line names the request that met the failure. */
  function warn(e: unknown, now: number, req: RequestLike): void {
    if (now - lastWarn <= 60_000) return;
    lastWarn = now;
    requestLogger(opts.logger, req.requestId).warn(
      `[tessera] [limits] ${limiter.name} rate limiter failed; letting requests through`,
      {
        error: String(e),
      },
    );
  }

  async function take(key: string, rule: BucketRule, now: number, req: RequestLike): Promise<number> {
    try {
      const r = await limiter.take(key, rule, now);
      return r.allowed ? 0 : r.retryAfterMs;
    } catch (e) {
      warn(e, now, req);
      return 0;
    }
  }

  async function charge(
    key: string,
    rule: BucketRule,
    now: number,
    tokens: number,
    req: RequestLike,
  ): Promise<void> {
    if (chargeNow) return chargeNow(key, rule, now, tokens);
    try {
      await limiter.charge(key, rule, now, tokens);
    } catch (e) {
      warn(e, now, req);
    }
  }

  /** The bucket a batch spends from: its visitor's when the id verifies, else its IP's. */
  function bucketOf(raw: string | undefined, verified: boolean, ip: IpKeys | undefined): Bucket | undefined {
    if (raw !== undefined && verified) return bucketOfVisitor(raw);
    return ip?.anonymous;
  }

  /** The limits in order (ceiling, then the batch's own bucket), with in-process buckets: no promise unless an HMAC is due. */
  function admitNow(
    req: RequestLike,
    handle: () => Promise<Reply>,
    now: number,
    ip: IpKeys | undefined,
    raw: string | undefined,
  ): Reply | Promise<Reply> {
    if (ip && takeNow) {
      const wait = takeNow(ip.ceiling, ceiling, now);
      if (wait > 0) return tooMany('client IP', wait);
    }
    const verified = raw === undefined ? false : opts.verifyId(raw);
    if (typeof verified === 'boolean') return spendNow(req, handle, now, ip, raw, verified);
    return verified.then((v) => spendNow(req, handle, now, ip, raw, v));
  }

  function spendNow(
    req: RequestLike,
    handle: () => Promise<Reply>,
    now: number,
    ip: IpKeys | undefined,
    raw: string | undefined,
    verified: boolean,
  ): Reply | Promise<Reply> {
    const bucket = bucketOf(raw, verified, ip);
    if (bucket && takeNow) {
      const wait = takeNow(bucket.key, bucket.rule, now);
      if (wait > 0) return tooMany(bucket.who, wait);
    }
    return pass(req, handle, now, ip, bucket);
  }

  /** The same order with a limiter behind a promise (Redis). */
  async function admit(
    req: RequestLike,
    handle: () => Promise<Reply>,
    now: number,
    ip: IpKeys | undefined,
    raw: string | undefined,
  ): Promise<Reply> {
    if (ip) {
      const wait = await take(ip.ceiling, ceiling, now, req);
      if (wait > 0) return tooMany('client IP', wait);
    }
    const bucket = bucketOf(raw, raw !== undefined && (await opts.verifyId(raw)), ip);
    if (bucket) {
      const wait = await take(bucket.key, bucket.rule, now, req);
      if (wait > 0) return tooMany(bucket.who, wait);
    }
    return pass(req, handle, now, ip, bucket);
  }

  /** An admitted batch: checked, handled, and charged as junk if its answer says it was. */
  async function pass(
    req: RequestLike,
    handle: () => Promise<Reply>,
    now: number,
    ip: IpKeys | undefined,
    bucket: Bucket | undefined,
  ): Promise<Reply> {
    // Junk pays the rest of its cost once its answer is known (the batch took one token to get in).
    const chargeJunk = async (status: number) => {
      if (status < 400 || status >= 500 || settings.junkCost <= 1) return;
      const extra = settings.junkCost - 1;
      if (ip) await charge(ip.ceiling, ceiling, now, extra, req);
      if (bucket) await charge(bucket.key, bucket.rule, now, extra, req);
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
  }

  return {
    // Decided before anything else: no body read, no JSON parsed, no cookie record built,
    // no HMAC for an address over its ceiling, and a refusal that is built once.
    run(req, handle) {
      checkUrlLength(req, settings);
      const now = opts.now();
      const addr = clientIpOf(req as RequestWithClientIp, settings.trustedIpHeader);
      const ip = addr === undefined ? undefined : keysOfIp(addr);
      const cookie = cookieValue(req.headers.get('cookie'), idCookie);
      const raw = cookie && cookie.length <= MAX_KEY_LENGTH ? cookie : undefined;
      if (takeNow && chargeNow) return admitNow(req, handle, now, ip, raw);
      return admit(req, handle, now, ip, raw);
    },
  };
}

/** The 429 bodies and headers, per who and Retry-After second: built once, shared by every refusal. */
const refusals = new Map<number, { headers: Record<string, string>; body: string }>();

/** 429 with `Retry-After`. No error object (and no stack trace) per refusal: a flood is mostly these. */
function tooMany(who: Who, waitMs: number): Reply {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  const key = who === 'visitor' ? seconds : -seconds;
  let r = refusals.get(key);
  if (r === undefined) {
    const built = errorReply(
      new TesseraError(429, `[tessera] [collect] too many batches from this ${who}; retry in ${seconds} s`),
    );
    built.headers['retry-after'] = String(seconds);
    r = { headers: built.headers, body: built.body as string };
    if (refusals.size >= 1024) refusals.clear();
    refusals.set(key, r);
  }
  return { status: 429, headers: r.headers, cookies: [], body: r.body };
}
