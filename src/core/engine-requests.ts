/**
 * The engine's request path, from a request to its finished reply: the URL
 * length check, the routes a host adds (`/admin`, ...), `POST /collect`
 * behind its rate limits, `/health`, `/ready`, static assets, the decision
 * trace for a debug token, and everything else a site page. Every reply
 * passes `finish`: private when it sets a cookie, counted by the observer,
 * its trace closed; a thrown error becomes its reply there too (a 500 for
 * anything not a client's mistake, logged).
 *
 * Its functions are not async where they need not be: a page route's promise
 * is handed on as it is, and a batch refused by the limits is answered in the
 * tick it was read.
 * @module
 */
import { privateWhenSettingCookies } from './cache/index.js';
import type { RequestLike } from './context.js';
import type { RouteContext } from './engine-api.js';
import type { EnginePorts } from './engine-config.js';
import { healthOf } from './engine-surface.js';
import { isTesseraError, TesseraError } from './errors.js';
import { handleCollect } from './http/collect.js';
import { asksForDebug, debugReply } from './http/debug.js';
import type { EngineState } from './http/engine-state.js';
import { handlePage } from './http/page.js';
import { encodePath, pathOf } from './http/path.js';
import { readiness } from './http/ready.js';
import { errorReply, jsonReply, type Reply } from './http/reply.js';
import { verifySignedIdNow } from './identity/index.js';
import { checkUrlLength, createCollectGuard, type LimitSettings, type RateLimiter } from './limits/index.js';
import { isPromise } from './maybe-promise.js';
import { routeLabel } from './observer.js';
import { requestLogger } from './request-logger.js';
import type { RequestTrace } from './tracer.js';

export interface RequestHandlerParts {
  state: EngineState;
  ports: EnginePorts;
  /** What the host's routes get (engine-surface.ts). */
  ctx: RouteContext;
  limits: LimitSettings;
  /** Where `/collect` token buckets live. */
  rateLimiter: RateLimiter;
  /** The site's item route prefix, so metrics label item pages as one route. */
  itemPrefix: string | undefined;
}

/** `Engine.handle`: every request's reply, never a rejection. */
export function createRequestHandler(parts: RequestHandlerParts): (req: RequestLike) => Promise<Reply> {
  const { state, ports, ctx, limits, itemPrefix } = parts;
  const { accounting, logger } = state;
  const routes = ports.routes ?? [];
  const collectGuard = createCollectGuard({
    settings: limits,
    limiter: parts.rateLimiter,
    idCookie: state.settings.cookies.id,
    verifyId: (raw) => {
      const id = verifySignedIdNow(state.ring, raw);
      return id instanceof Promise ? id.then((v) => v !== undefined) : id !== undefined;
    },
    logger,
    now: state.now,
  });

  // Not async: the page route's promise is handed on as it is, one hop fewer per request.
  function route(req: RequestLike, trace: RequestTrace | undefined): Reply | Promise<Reply> {
    checkUrlLength(req, limits);
    const path = pathOf(req.url);
    for (const r of routes) if (path.startsWith(r.prefix)) return r.handle(req, contextFor(req), path);
    if (path === '/collect') return collect(req, trace);
    if (path === '/health') return health(req, state, ports);
    if (path === '/ready') return readiness(req, state, !!ports.models, ports.notReady);
    const asset = state.assets[path];
    if (asset && (req.method === 'GET' || req.method === 'HEAD')) {
      return {
        status: 200,
        headers: {
          'content-type': asset.type,
          'cache-control': asset.cacheControl ?? 'public, max-age=300',
          'x-content-type-options': 'nosniff',
        },
        cookies: [],
        body: asset.body,
      };
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      throw new TesseraError(
        405,
        `[tessera] ${methodName(req.method)} is not allowed on ${encodePath(path)}`,
      );
    }
    if (ports.canDebug && asksForDebug(req)) return debugOrPage(req, ports.canDebug, trace);
    return handlePage(req, state, trace);
  }

  // Not async: a batch refused by the limits is answered in the tick it was read.
  function collect(req: RequestLike, trace: RequestTrace | undefined): Reply | Promise<Reply> {
    const reply = collectGuard.run(req, () => handleCollect(req, state, trace));
    return isPromise(reply) ? reply.then((r) => collected(r, trace)) : collected(reply, trace);
  }

  function collected(reply: Reply, trace: RequestTrace | undefined): Reply {
    if (reply.status === 429) accounting.refuse('throttled');
    return countThrottled(reply, trace);
  }

  async function debugOrPage(
    req: RequestLike,
    canDebug: NonNullable<EnginePorts['canDebug']>,
    trace: RequestTrace | undefined,
  ): Promise<Reply> {
    if (await canDebug(req).catch(() => false)) return debugReply(req, state);
    return handlePage(req, state, trace);
  }

  function countThrottled(reply: Reply, trace: RequestTrace | undefined): Reply {
    if (reply.status === 429) {
      state.observer.ingest('throttled', 1);
      trace?.attribute('tessera.ingest.throttled', 1);
    }
    return reply;
  }

  /** What a host's route gets: its `logger` names the request (request-logger.ts). */
  function contextFor(req: RequestLike): RouteContext {
    if (req.requestId === undefined || logger.forRequest === undefined) return ctx;
    // Bound at once (not lazily): a route may hand `logger.warn` on by itself.
    const own: RouteContext = Object.create(ctx);
    own.logger = logger.forRequest(req.requestId);
    return own;
  }

  function failed(e: unknown, req: RequestLike): Reply {
    if (isTesseraError(e) && e.status < 500) return errorReply(e);
    requestLogger(logger, req.requestId).error('[tessera] request failed', {
      error: String(e),
      stack: (e as Error)?.stack,
    });
    return errorReply(new TesseraError(500, '[tessera] internal error'));
  }

  const tracer = ports.tracer;
  // Not async: a reply the route had at once (a 429) takes one promise to hand back, not a chain.
  function handle(req: RequestLike): Promise<Reply> {
    const t0 = state.perf();
    const trace = tracer?.begin(req, t0);
    let routed: Reply | Promise<Reply>;
    try {
      routed = route(req, trace);
    } catch (e) {
      return Promise.resolve(finish(req, failed(e, req), t0, trace));
    }
    if (!isPromise(routed)) return Promise.resolve(finish(req, routed, t0, trace));
    return routed.then(
      (r) => finish(req, r, t0, trace),
      (e: unknown) => finish(req, failed(e, req), t0, trace),
    );
  }

  function finish(req: RequestLike, routed: Reply, t0: number, trace: RequestTrace | undefined): Reply {
    let reply: Reply;
    try {
      // Where every reply is finished: one that sets a cookie never goes to a shared cache.
      reply = privateWhenSettingCookies(routed);
    } catch (e) {
      reply = failed(e, req);
    }
    const t1 = state.perf();
    const label = routeLabel(req.url, itemPrefix);
    state.observer.request(label, reply.status, (t1 - t0) / 1000, req.requestId);
    trace?.end(label, reply.status, t1);
    return reply;
  }

  return handle;
}

/** A method name fit for a message: a token, else a placeholder (it is the client's to choose). */
function methodName(method: string): string {
  return /^[A-Za-z]{1,16}$/.test(method) ? method : 'this method';
}

/**
 * `/health` for load balancers: `{status}` for anyone. What the node runs
 * (its id, drivers, model version, dependencies, spool backlog) is for
 * operators only: a caller whose admin token holds `read:stats`.
 */
async function health(req: RequestLike, s: EngineState, ports: EnginePorts): Promise<Reply> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const reply = errorReply(new TesseraError(405, '[tessera] /health answers GET and HEAD'));
    reply.headers.allow = 'GET, HEAD';
    return reply;
  }
  const h = healthOf(s, ports.health?.());
  const detailed = ports.canReadStats ? await ports.canReadStats(req).catch(() => false) : false;
  if (!detailed) return jsonReply(200, { status: h.status });
  return jsonReply(200, h);
}
