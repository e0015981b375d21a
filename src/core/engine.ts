/**
 * createEngine(config, ports) → { handle, fetch, decide, ingest, profiles,
 * models, experiments, health, idle, close } (engine-api.ts).
 * Wires the pure core (context, identity, profile, segments, decide,
 * assemble) to the drivers a runtime hands in. Routes: `POST /collect`,
 * `GET /tessera.js` and other static assets, `GET /health`, everything else
 * a site page.
 * @module
 */
import { compileItemTemplate, type HTMLRewriterFactory } from './assemble/index.js';
import { LruCache, privateWhenSettingCookies } from './cache/index.js';
import type { CatalogItem, EngineSettings, SiteConfig } from './config.js';
import { DEFAULT_SETTINGS } from './config.js';
import type { RequestLike } from './context.js';
import { compileSite } from './decide.js';
import { DecisionMemo } from './decision-memo.js';
import type { Engine, EngineRoute, ModelSource } from './engine-api.js';
import { rememberStores } from './engine-ports.js';
import {
  engineInfo,
  experimentsApi,
  healthOf,
  modelsApi,
  profilesApi,
  routeContext,
} from './engine-surface.js';
import { isTesseraError, TesseraError } from './errors.js';
import { DEFAULT_BATCH_LIMITS } from './events.js';
import { ExperimentRuntime, type ExperimentSettings, type LedgerStore } from './experiments/index.js';
import { handleCollect } from './http/collect.js';
import { asksForDebug, debugReply } from './http/debug.js';
import type { EngineState, Origin, StaticAsset } from './http/engine-state.js';
import { decideRequest, handlePage } from './http/page.js';
import { encodePath, pathOf } from './http/path.js';
import { readiness } from './http/ready.js';
import { errorReply, jsonReply, type Reply, toResponse } from './http/reply.js';
import {
  createKeyRing,
  type KeyRingCrypto,
  type KeyRingInput,
  newVisitorId,
  type VisitorIdSource,
  verifySignedIdNow,
} from './identity/index.js';
import {
  checkUrlLength,
  createCollectGuard,
  createMemoryRateLimiter,
  DEFAULT_LIMIT_SETTINGS,
  type LimitSettings,
  type RateLimiter,
} from './limits/index.js';
import { LinkedDevices } from './linked-devices.js';
import { createLossAccounting, type LossAccounting } from './loss-accounting.js';
import { observedLog } from './observed-log.js';
import { type EngineObserver, observerOf, routeLabel } from './observer.js';
import type { EventLog, Logger, ModelStore, ProfileStore } from './ports.js';
import { silentLogger } from './ports.js';
import { type IngestFallback, ProfileService } from './profile-service.js';
import type { SessionRankerProvider } from './recommend/session-ranker-port.js';
import type { EngineTracer, RequestTrace } from './tracer.js';

export interface EngineConfig {
  site: SiteConfig;
  catalog: readonly CatalogItem[];
  settings: Partial<Omit<EngineSettings, 'secret'>> & { secret: string | KeyRingInput };
  /** How long a variant's page shell is reused before the origin is asked again (ms, default 60 s; 0: built per request, never shared, as framework middleware needs). */
  shellTtlMs?: number;
  /** Confidence, auto-promotion and test settings for experiments. */
  experiments?: ExperimentSettings;
  /** URL/cookie sizes and `/collect` rate limits (defaults: DEFAULT_LIMIT_SETTINGS). */
  limits?: Partial<LimitSettings>;
  /**
   * Write profiles behind ingest after this delay (ms), coalesced per visitor
   * (see profile-writes.ts); unset, ingest waits for the store. For a
   * long-lived process that calls `close()` on shutdown.
   */
  profileWriteBehindMs?: number;
}

export type {
  Engine,
  EngineExperiments,
  EngineHealth,
  EngineInfo,
  EngineModels,
  EngineProfiles,
  EngineRoute,
  ModelSource,
  RouteContext,
} from './engine-api.js';

const DEFAULT_ITEM_TEMPLATE = '<a href="/product/{{id}}" data-tessera-item="{{id}}">{{title}}</a>';

/** What a runtime adds to `/health`: the dependencies that are not ready, and each one's status. */
export interface HealthReport {
  degraded: string[];
  dependencies: Record<string, unknown>;
  /** Set when the served model is not one trained on the event log (e.g. the log was down at start). */
  model?: ModelSource;
  /** The model lifecycle's state (rollout, live updates, retrain schedule), shown as `models`. */
  models?: Record<string, unknown>;
}

export interface EnginePorts {
  profiles: ProfileStore;
  events: EventLog;
  models?: ModelStore;
  rewriter: HTMLRewriterFactory;
  origin?: Origin;
  assets?: Record<string, StaticAsset>;
  logger?: Logger;
  now?: () => number;
  perf?: () => number;
  /** New anonymous ids (default: 128 random bits). The simulator seeds it; never predictable in production. */
  visitorIds?: VisitorIdSource;
  /**
   * Faster synchronous primitives for the key ring (sealed cookies, signed
   * ids, pseudonyms), same keys and output as WebCrypto (default). Node passes
   * node:crypto's (runtimes/node/node-crypto.ts).
   */
  keyRingCrypto?: KeyRingCrypto;
  /** Dependency states for `/health` (networked stores, buses, the spool). */
  health?: () => HealthReport;
  /**
   * Whether the caller may read the node's details on `/health` (node id,
   * drivers, model, dependencies, spool backlog): an admin token with
   * `read:stats`. Without it, or when it says no, `/health` is `{status}`.
   */
  canReadStats?: (req: RequestLike) => Promise<boolean>;
  /**
   * Whether a page request that asks for its decision trace
   * (`X-Tessera-Debug: 1` or `?tessera-debug`) may have it: an admin token
   * with `read:debug`. Without it, or when it says no, the page as usual.
   */
  canDebug?: (req: RequestLike) => Promise<boolean>;
  /** Where ingest defers events while the store is down (degraded mode). */
  ingestFallback?: IngestFallback;
  /** Routes in front of the site's pages (`/admin`, ...). */
  routes?: EngineRoute[];
  /** Where `/collect` token buckets live (default: in memory, per node). */
  rateLimiter?: RateLimiter;
  /** Where experiment counts and statuses live (default: in memory); `experiments.restore()` loads it. */
  ledger?: LedgerStore;
  /** Event counters since start (default: the engine's own); a runtime shares it with its spool. */
  accounting?: LossAccounting;
  /** Metrics: told about requests, decision stages, ingest outcomes, exposures (default: silent). */
  observer?: Partial<EngineObserver>;
  /**
   * Traces: each request's span with its decision stages (default: none, and
   * then no trace object is made at all). See tracer.ts; the OpenTelemetry
   * adapter is src/observe/tracing.ts.
   */
  tracer?: EngineTracer;
  /**
   * Session models (an ONNX section in the artifact): prepares a ranker per
   * model that re-orders the recommendation slots after `decide()` (see
   * recommend/session-rerank.ts). The runtime supplies it, with
   * onnxruntime-web (src/models/onnx/session-rankers.ts); none by default.
   */
  sessionRanker?: SessionRankerProvider;
  /** Why the runtime cannot serve yet (a store not reachable, ...), for `/ready`; empty when it can. */
  notReady?: () => string[];
}

export function createEngine(config: EngineConfig, ports: EnginePorts): Engine {
  const secretInput = config.settings.secret;
  const settings: EngineSettings = {
    ...DEFAULT_SETTINGS,
    ...config.settings,
    secret: typeof secretInput === 'string' ? secretInput : (secretInput.secrets[secretInput.current] ?? ''),
  };
  const ring = createKeyRing(secretInput, ports.keyRingCrypto);
  const compiled = compileSite(config.site, config.catalog);
  const now = ports.now ?? Date.now;
  const logger = ports.logger ?? silentLogger;
  const accounting = ports.accounting ?? createLossAccounting();
  const observer = observerOf(ports.observer);
  // Without an observer the log is used as given: nothing to count, nothing to wrap.
  const log = ports.observer ? observedLog(ports.events, observer, compiled.recSlots) : ports.events;
  const profiles = new ProfileService({
    accounting,
    settings,
    ring,
    store: ports.profiles,
    log,
    logger,
    now,
    item: (id) => compiled.catalog.get(id),
    fallback: ports.ingestFallback,
    privacy: config.site.privacy,
    writeBehindMs: config.profileWriteBehindMs,
    // `state` is built just below; erasures only happen once it is.
    onErase: async (visitor, linkedTo) => {
      await state.experiments.ledger.store.forget(visitor);
      // The user's profile must not keep what came from an erased device.
      state.linked.forget(visitor);
      if (linkedTo !== undefined) await state.linked.rebuild(linkedTo);
    },
  });
  const state: EngineState = {
    settings,
    batchLimits: { ...DEFAULT_BATCH_LIMITS, maxBatch: settings.maxBatch },
    ring,
    compiled,
    profiles,
    linked: new LinkedDevices({ store: profiles.store, now, logger }),
    accounting,
    // Reads wait for profiles written behind; deletes drop them first.
    store: profiles.store,
    log,
    logger,
    origin: ports.origin,
    assets: ports.assets ?? {},
    rewriter: ports.rewriter,
    shells: new LruCache({ maxEntries: 2000, maxBytes: 64 * 1024 * 1024, sizeOf: (e) => e.shell.bytes }),
    shellTtlMs: config.shellTtlMs ?? 60_000,
    tiles: compileItemTemplate(config.site.itemTemplate ?? DEFAULT_ITEM_TEMPLATE),
    shellBuilds: new Map(),
    model: { artifact: undefined },
    rankers: ports.sessionRanker,
    memo: new DecisionMemo(),
    // Set just below: its onChange needs `state`.
    experiments: undefined as unknown as ExperimentRuntime,
    background: new Set(),
    now,
    visitorIds: ports.visitorIds ?? newVisitorId,
    perf: ports.perf ?? (() => performance.now()),
    startedAt: now(),
    observer,
  };

  // Promotions and pauses change what a variant shows: cached shells must go.
  state.experiments = new ExperimentRuntime(config.site.experiments ?? [], {
    node: settings.nodeId,
    ...(config.experiments ? { settings: config.experiments } : {}),
    ...(ports.ledger ? { store: ports.ledger } : {}),
    now,
    onChange: () => state.shells.clear(),
    // Ledger writes the page path does not wait for: `idle()` does.
    track: (work) => {
      const done: Promise<void> = work.then(
        () => undefined,
        () => undefined,
      );
      void done.finally(() => state.background.delete(done));
      state.background.add(done);
    },
    onError: (e) => logger.warn('[tessera] [experiments] ledger write failed', { error: String(e) }),
  });
  // Nothing derived from an erased profile may be served again, whichever path erased it.
  profiles.onChange((c) => {
    if ('erased' in c) state.memo = new DecisionMemo();
  });
  const api = {
    profiles: profilesApi(state),
    models: modelsApi(state, async () => ports.models?.get()),
    experiments: experimentsApi(state),
    settings: engineInfo(state),
  };
  const ctx = routeContext(state, api);
  const routes = ports.routes ?? [];
  const limits: LimitSettings = { ...DEFAULT_LIMIT_SETTINGS, ...config.limits };
  const rateLimiter = ports.rateLimiter ?? createMemoryRateLimiter();
  const collectGuard = createCollectGuard({
    settings: limits,
    limiter: rateLimiter,
    idCookie: settings.cookies.id,
    verifyId: (raw) => {
      const id = verifySignedIdNow(ring, raw);
      return id instanceof Promise ? id.then((v) => v !== undefined) : id !== undefined;
    },
    logger,
    now,
  });

  // Not async: the page route's promise is handed on as it is, one hop fewer per request.
  function route(req: RequestLike, trace: RequestTrace | undefined): Reply | Promise<Reply> {
    checkUrlLength(req, limits);
    const path = pathOf(req.url);
    for (const r of routes) if (path.startsWith(r.prefix)) return r.handle(req, ctx, path);
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

  function failed(e: unknown): Reply {
    if (isTesseraError(e) && e.status < 500) return errorReply(e);
    logger.error('[tessera] request failed', { error: String(e), stack: (e as Error)?.stack });
    return errorReply(new TesseraError(500, '[tessera] internal error'));
  }

  const itemPrefix = config.site.itemRoute?.prefix;
  const tracer = ports.tracer;
  // Not async: a reply the route had at once (a 429) takes one promise to hand back, not a chain.
  function handle(req: RequestLike): Promise<Reply> {
    const t0 = state.perf();
    const trace = tracer?.begin(req, t0);
    let routed: Reply | Promise<Reply>;
    try {
      routed = route(req, trace);
    } catch (e) {
      return Promise.resolve(finish(req, failed(e), t0, trace));
    }
    if (!isPromise(routed)) return Promise.resolve(finish(req, routed, t0, trace));
    return routed.then(
      (r) => finish(req, r, t0, trace),
      (e: unknown) => finish(req, failed(e), t0, trace),
    );
  }

  function finish(req: RequestLike, routed: Reply, t0: number, trace: RequestTrace | undefined): Reply {
    let reply: Reply;
    try {
      // Where every reply is finished: one that sets a cookie never goes to a shared cache.
      reply = privateWhenSettingCookies(routed);
    } catch (e) {
      reply = failed(e);
    }
    const t1 = state.perf();
    const label = routeLabel(req.url, itemPrefix);
    state.observer.request(label, reply.status, (t1 - t0) / 1000);
    trace?.end(label, reply.status, t1);
    return reply;
  }

  const engine: Engine = {
    handle,
    fetch: async (req) => toResponse(await handle(req)),
    decide: (req, opts) => decideRequest(req, state, undefined, { trace: opts?.trace ?? true }),
    ingest: async (visitor, events) => {
      const r = await profiles.ingest(visitor, events);
      // A device of an identified user: its profile joins the user's (the Queue consumer ingests here).
      if (r.applied > 0) await state.linked.contribute(visitor, r.profile);
      return r;
    },
    ...api,
    catalog: compiled.catalog,
    logger,
    health: () => healthOf(state, ports.health?.()),
    async idle() {
      while (state.background.size > 0) await Promise.all([...state.background]);
    },
    flush: () => profiles.flush(),
    async close() {
      await profiles.flush();
      await ports.profiles.close();
      await ports.events.close();
      await rateLimiter.close();
      await ports.ledger?.close();
    },
  };
  rememberStores(engine, { profiles: state.store, events: state.log });
  return engine;
}

/** A route's answer still to come (any thenable a route handed back), rather than a reply. */
function isPromise(r: Reply | Promise<Reply>): r is Promise<Reply> {
  return typeof (r as { then?: unknown }).then === 'function';
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
