/**
 * The Cloudflare Worker entry: `export default createWorker(...)` gives the
 * module Worker `{ fetch(request, env, ctx) }`. Bindings are wired once per
 * isolate, on the first request:
 *
 * | binding             | kind            | used for                                   |
 * |---------------------|-----------------|--------------------------------------------|
 * | `TESSERA_SECRET`    | secret          | cookie signatures and encryption (required unless `TESSERA_KEYS`) |
 * | `TESSERA_KEYS`, `TESSERA_KEY_CURRENT` | secrets | a key ring `k1:s1,k2:s2` for rotation (see env-keys.ts) |
 * | `TESSERA_KV`        | KV namespace    | profiles + identity links, the experiment ledger, and the model |
 * | `TESSERA_PROFILES`  | Durable Object  | profiles + links with strong consistency (wins over KV) |
| `TESSERA_LEDGER`    | Durable Object  | the experiment ledger, each visitor counted exactly once across isolates (wins over KV; class `TesseraLedger`) |
 * | `TESSERA_MODELS`    | R2 bucket       | the model registry (wins over KV)           |
 * | `TESSERA_MODEL_TTL_MS` | var          | how often an isolate reads the registry's aliases (default 10000; models/alias-follower.ts) |
 * | `TESSERA_EVENTS`    | Queue           | the event stream; `queue()` consumes it (queue-consumer.ts) and is then the only writer of visitors' profiles (consumer-owned-store.ts) |
 * | `TESSERA_QUEUE_CONSUMER` | var        | `off`: this Worker does not consume `TESSERA_EVENTS`, so requests write profiles themselves |
 * | `TESSERA_ORIGIN`    | var             | origin mode: the site to personalize        |
 * | `TESSERA_CONSENT_MODE`, `TESSERA_SECURE_COOKIES`, `TESSERA_NODE_ID` | vars | settings |
 * | `TESSERA_ALLOWED_ORIGINS` | var       | other origins whose pages may post to `/collect` (comma-separated) |
 * | `TESSERA_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_ENDPOINT`) | var | send OpenTelemetry traces over OTLP/HTTP JSON (observe/otlp-fetch.ts) |
 * | `TESSERA_OTLP_HEADERS` (or `OTEL_EXPORTER_OTLP_HEADERS`) | secret | headers for the collector, `k1=v1,k2=v2` (an API key) |
 * | `TESSERA_ADMIN_TOKEN` | secret        | a token with every admin scope (bootstrap); scoped tokens are hashes in `TESSERA_KV` |
 *
 * `/admin` (the dashboard and its API) runs here as on Node: tokens by hash
 * in KV (`admin/token/<hash>`, see admin/kv.ts and `tessera admin token
 * --kv`), dashboard sessions in KV so every isolate knows them, the same
 * cookie and CSRF checks, audit lines on the Worker's log. Without
 * `TESSERA_ADMIN_TOKEN` and without a token in KV it answers 404. Its live
 * charts show this isolate's traffic (isolates keep no shared memory); the
 * experiment numbers are the ledger's.
 *
 * Models: the registry (versions, aliases `production` and `candidate`) in
 * R2 or KV. Each isolate reads the aliases at most once per
 * `TESSERA_MODEL_TTL_MS`, after a response (`ctx.waitUntil`), and swaps a new
 * production version in between requests once its bytes check out; a
 * candidate serves its canary share (`models.rollout` of the site), judged
 * elsewhere (docs/models.md, "In a Cloudflare Worker").
 *
 * Profiles are encrypted at rest (AES-GCM, the Node runtime's `TSE1` format)
 * in KV and in the Durable Object, unless `TESSERA_ENCRYPT_AT_REST=false`.
 *
 * Each isolate gets its own node id (a random suffix): a profile's per-node
 * counters must have a single sequential writer, and isolates run side by side.
 * @module
 */

import { lineAuditSink } from '../../admin/audit.js';
import { type AdminAuth, authorizeAdmin, bearerToken } from '../../admin/auth.js';
import type { ChartLibrary } from '../../admin/dashboard.js';
import { kvSessionBook, kvTokenBook } from '../../admin/kv.js';
import { createLiveSeries, type LiveSeries } from '../../admin/live-series.js';
import { adminRoute } from '../../admin/route.js';
import type {
  DurableObjectNamespaceLike,
  ExecutionContextLike,
  KVNamespaceLike,
  QueueLike,
  R2BucketLike,
} from '../../connections/cloudflare-bindings.js';
import type { CatalogItem, SiteConfig } from '../../core/config.js';
import type { RequestLike } from '../../core/context.js';
import type { Engine } from '../../core/engine.js';
import type { EngineRoute } from '../../core/engine-api.js';
import type { LedgerStore } from '../../core/experiments/ledger-store.js';
import type { Origin, StaticAsset } from '../../core/http/engine-state.js';
import type { EventLog, Logger, ModelStore, ProfileStore } from '../../core/ports.js';
import { privacyRoute } from '../../core/privacy/index.js';
import type { SessionRankerProvider } from '../../core/recommend/session-ranker-port.js';
import { parseSiteConfig } from '../../core/segments/index.js';
import type { EngineTracer } from '../../core/tracer.js';
import { createKvLedgerStore } from '../../ledgers/cloudflare-kv.js';
import { createDurableObjectLedgerStore } from '../../ledgers/durable-object.js';
import { createQueueEventLog, type QueueMessage } from '../../logs/cloudflare-queue.js';
import { AliasFollower } from '../../models/alias-follower.js';
import { createKvModelStore, createR2ModelStore } from '../../models/cloudflare.js';
import { parseModelLifecycle } from '../../models/lifecycle-config.js';
import { createKvProfileStore } from '../../profiles/cloudflare-kv.js';
import { createDurableObjectProfileStore } from '../../profiles/durable-object.js';
import { atRestCodecFromEnv } from '../fetch/env-keys.js';
import { nodeIdFromEnv, settingsFromEnv } from '../fetch/env-settings.js';
import { createFetchHandler, type FetchHandler, nativeRewriter } from '../fetch/handler.js';
import { fetchOrigin } from '../fetch/origin.js';
import { consumerOwnedStore } from './consumer-owned-store.js';
import { appliedEventsLog, createQueueConsumer, type QueueBatchLike } from './queue-consumer.js';

export interface TesseraEnv {
  TESSERA_SECRET?: string;
  TESSERA_KEYS?: string;
  TESSERA_KEY_CURRENT?: string;
  TESSERA_ENCRYPT_AT_REST?: string;
  TESSERA_KV?: KVNamespaceLike;
  TESSERA_PROFILES?: DurableObjectNamespaceLike;
  TESSERA_LEDGER?: DurableObjectNamespaceLike;
  TESSERA_MODELS?: R2BucketLike;
  TESSERA_EVENTS?: QueueLike<QueueMessage>;
  TESSERA_ORIGIN?: string;
  TESSERA_CONSENT_MODE?: string;
  TESSERA_SECURE_COOKIES?: string;
  TESSERA_ALLOWED_ORIGINS?: string;
  TESSERA_NODE_ID?: string;
  TESSERA_OTLP_ENDPOINT?: string;
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  TESSERA_OTLP_HEADERS?: string;
  OTEL_EXPORTER_OTLP_HEADERS?: string;
  TESSERA_QUEUE_CONSUMER?: string;
  TESSERA_ADMIN_TOKEN?: string;
  TESSERA_MODEL_TTL_MS?: string;
}

/** What the site brings: its rules and catalog, and where pages come from. */
export interface WorkerSite {
  site: SiteConfig | unknown;
  catalog: readonly CatalogItem[];
  /** Pages to personalize; default: fetch from `TESSERA_ORIGIN`. */
  origin?: Origin;
  assets?: Record<string, StaticAsset>;
  logger?: Logger;
  /** uPlot for the dashboard's charts, as text (the demo bundles `uplot/dist`); without it, tables only. */
  charts?: ChartLibrary;
  /**
   * Orders recommendation slots with a model's ONNX session model:
   * `onnxWorkerRankers(wasm)` with `import wasm from
   * './ort-wasm-simd-threaded.wasm'` (docs/onnx.md). Unset: neighbour lists only.
   */
  sessionRanker?: SessionRankerProvider;
}

export interface TesseraWorker<E extends TesseraEnv = TesseraEnv> {
  fetch(request: Request, env: E, ctx: ExecutionContextLike): Promise<Response>;
  /** The Queue consumer: applies `TESSERA_EVENTS` messages to the stored profiles, deduped by (visitor, id). */
  queue(batch: QueueBatchLike<QueueMessage>, env: E, ctx: ExecutionContextLike): Promise<void>;
  /** The isolate's engine for these bindings (built on first use). */
  engine(env: E): Promise<Engine>;
}

/** How often an isolate folds in the stored ledger, so every isolate shows about the same totals. */
const LEDGER_REFRESH_MS = 10_000;

/** A node id of its own for each engine of the isolate (see above). */
function newNodeId(env: TesseraEnv): string {
  return nodeIdFromEnv(env, 'cf');
}

/**
 * Traces when an OTLP endpoint is set; the tracing module (and the SDK in
 * it) is evaluated only then: the bundle carries it, an isolate without an
 * endpoint never runs it.
 */
async function tracingFor(env: TesseraEnv, node: string) {
  const endpoint = env.TESSERA_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return undefined;
  const { startFetchTracing } = await import('../../observe/otlp-fetch.js');
  const headers = env.TESSERA_OTLP_HEADERS || env.OTEL_EXPORTER_OTLP_HEADERS;
  return startFetchTracing({ endpoint, nodeId: node, ...(headers ? { headers } : {}) });
}

/** `writeIntervalMs`: KV writes per profile coalesced to one per this long (the consumer writes once per batch: 0). */
function profileStore(
  env: TesseraEnv,
  logger: Logger | undefined,
  writeIntervalMs?: number,
): ProfileStore | undefined {
  // The object encrypts inside itself, from its own bindings (profiles-object.ts).
  if (env.TESSERA_PROFILES) return createDurableObjectProfileStore({ namespace: env.TESSERA_PROFILES });
  if (env.TESSERA_KV) {
    const codec = atRestCodecFromEnv(env);
    return createKvProfileStore({
      kv: env.TESSERA_KV,
      ...(codec ? { codec } : {}),
      ...(writeIntervalMs !== undefined ? { writeIntervalMs } : {}),
      onError: (e) => logger?.error(e.message, { cause: String(e.cause) }),
    });
  }
  return undefined;
}

/**
 * Experiment counts and statuses outlive the isolate: in the `TESSERA_LEDGER`
 * Durable Object when bound (exactly once across isolates), else in KV (a
 * visitor counted twice is possible within KV's propagation window).
 */
function ledgerStore(env: TesseraEnv): LedgerStore | undefined {
  if (env.TESSERA_LEDGER) return createDurableObjectLedgerStore({ namespace: env.TESSERA_LEDGER });
  if (env.TESSERA_KV) return createKvLedgerStore({ kv: env.TESSERA_KV });
  return undefined;
}

function modelStore(env: TesseraEnv): ModelStore | undefined {
  if (env.TESSERA_MODELS) return createR2ModelStore(env.TESSERA_MODELS);
  if (env.TESSERA_KV) return createKvModelStore(env.TESSERA_KV);
  return undefined;
}

/** The alias follower of an isolate that serves pages (models/alias-follower.ts); none without a model store. */
function aliasFollower(env: TesseraEnv, site: WorkerSite, store: ModelStore | undefined) {
  if (!store) return undefined;
  const ttl = Number(env.TESSERA_MODEL_TTL_MS);
  // A bad `models` section stops the Worker at its first request, with the field's path, as it stops a Node server.
  const { rollout } = parseModelLifecycle((site.site as { models?: unknown } | undefined)?.models);
  return new AliasFollower({
    store,
    rollout,
    ...(Number.isFinite(ttl) && ttl >= 0 && env.TESSERA_MODEL_TTL_MS ? { ttlMs: ttl } : {}),
    ...(site.logger ? { logger: site.logger } : {}),
  });
}

/** `/admin` in the Worker: tokens and sessions in KV (memory without KV), audit lines on the log. */
function workerAdminRoute(
  env: TesseraEnv,
  live: LiveSeries,
  models: ModelStore | undefined,
  charts: ChartLibrary | undefined,
  lifecycle: (() => Record<string, unknown>) | undefined,
): EngineRoute {
  return adminRoute({
    token: env.TESSERA_ADMIN_TOKEN,
    ...(env.TESSERA_KV
      ? { tokens: kvTokenBook(env.TESSERA_KV), sessions: kvSessionBook(env.TESSERA_KV) }
      : {}),
    audit: lineAuditSink((line) => console.log(line)),
    live,
    ...(models ? { models } : {}),
    ...(lifecycle ? { lifecycle } : {}),
    ...(charts ? { charts } : {}),
  });
}

/**
 * Whether a request's bearer token holds `scope`: `read:stats` for the
 * isolate's details on `/health` (model, lifecycle), `read:debug` for a
 * page's decision trace (`X-Tessera-Debug: 1`), as on Node.
 */
function tokenHolds(
  env: TesseraEnv,
  scope: 'read:stats' | 'read:debug',
): (req: RequestLike) => Promise<boolean> {
  const auth: AdminAuth = {
    tokens: env.TESSERA_KV ? kvTokenBook(env.TESSERA_KV) : { records: () => [] },
    envToken: env.TESSERA_ADMIN_TOKEN || undefined,
  };
  return async (req) => {
    const token = bearerToken(req);
    if (!token) return false; // probes without a token: no KV read
    return authorizeAdmin(auth, token, scope).then(
      () => true,
      () => false,
    );
  };
}

export function createWorker<E extends TesseraEnv = TesseraEnv>(
  setup: (env: E) => WorkerSite | Promise<WorkerSite>,
): TesseraWorker<E> {
  let handler: FetchHandler | undefined;
  let settle: (() => Promise<void>) | undefined;
  let flushTraces: (() => Promise<void>) | undefined;
  let consumer: FetchHandler | undefined;
  let settleConsumer: (() => Promise<void>) | undefined;
  let follower: AliasFollower | undefined;

  // The dashboard's live series: this isolate's traffic.
  const live = createLiveSeries();
  let ledgerRead = false;
  /** When this isolate last loaded the stored ledger (other isolates' counts and statuses). */
  let ledgerLoadedAt = 0;

  async function handlerFor(env: E): Promise<FetchHandler> {
    if (handler) return handler;
    const node = newNodeId(env);
    const tracing = await tracingFor(env, node);
    // With a consumer, the queue's events reach the store through it alone: requests only read (and overlay).
    const consumed = env.TESSERA_EVENTS !== undefined && env.TESSERA_QUEUE_CONSUMER !== 'off';
    const built = await build(env, createQueueEventLog({ queue: env.TESSERA_EVENTS }), consumed, undefined, {
      node,
      tracer: tracing?.tracer,
      live,
    });
    // Counts and statuses as stored (by this Worker before, or by the other isolates) before the first answer.
    // A store that cannot answer leaves this isolate's own counts only: pages still go out (logged).
    await (await built.handler.engine()).experiments.restore().catch((e) => console.error(String(e)));
    ledgerLoadedAt = Date.now();
    // Polls from now on follow the registry's aliases (the first load went through the follower's checks).
    built.follower?.attach((await built.handler.engine()).models);
    follower = built.follower;
    handler = built.handler;
    settle = built.settle;
    flushTraces = tracing?.flush;
    return handler;
  }

  /** The consumer's own engine: the same stores, but events it applies go to no queue again. */
  async function consumerFor(env: E): Promise<FetchHandler> {
    if (consumer) return consumer;
    const built = await build(env, appliedEventsLog(), false, 0);
    consumer = built.handler;
    settleConsumer = built.settle;
    return consumer;
  }

  async function build(
    env: E,
    events: EventLog,
    consumed: boolean,
    writeIntervalMs?: number,
    opts: { node?: string; tracer?: EngineTracer | undefined; live?: LiveSeries } = {},
  ) {
    const node = opts.node ?? newNodeId(env);
    const { tracer, live } = opts;
    // Throws first when the secret is missing: nothing is built without keys.
    const config = settingsFromEnv(env, node, 'worker');
    const site = await setup(env);
    const stored = profileStore(env, site.logger, writeIntervalMs);
    const profiles = stored && consumed ? consumerOwnedStore(stored) : stored;
    const registry = modelStore(env);
    // Only the isolate's page engine follows the aliases; the queue consumer's engine ranks nothing.
    const follower = live ? aliasFollower(env, site, registry) : undefined;
    const models = follower?.store ?? registry;
    const ledger = ledgerStore(env);
    const origin = site.origin ?? (env.TESSERA_ORIGIN ? fetchOrigin({ url: env.TESSERA_ORIGIN }) : undefined);
    const rewriter = nativeRewriter();
    const routes: EngineRoute[] = [privacyRoute()];
    const lifecycle = follower ? () => follower.state() : undefined;
    if (live) routes.push(workerAdminRoute(env, live, models, site.charts, lifecycle));
    const handler = createFetchHandler({
      site: parseSiteConfig(site.site),
      catalog: site.catalog,
      ...config,
      ports: {
        ...(profiles ? { profiles } : {}),
        ...(ledger ? { ledger } : {}),
        events,
        ...(models ? { models } : {}),
        ...(rewriter ? { rewriter } : {}),
        ...(origin ? { origin } : {}),
        ...(site.assets ? { assets: site.assets } : {}),
        ...(site.logger ? { logger: site.logger } : {}),
        // The visitor's own access and erasure (`GET`/`DELETE /privacy/me`); the admin dashboard and API.
        routes,
        ...(live ? { observer: live.observer } : {}),
        ...(tracer ? { tracer } : {}),
        ...(site.sessionRanker ? { sessionRanker: site.sessionRanker } : {}),
        ...(live
          ? { canReadStats: tokenHolds(env, 'read:stats'), canDebug: tokenHolds(env, 'read:debug') }
          : {}),
        ...(lifecycle ? { health: () => ({ degraded: [], dependencies: {}, models: lifecycle() }) } : {}),
      },
    });
    const settle =
      profiles && 'settle' in profiles ? (profiles as { settle(): Promise<void> }).settle : undefined;
    return { handler, settle, follower };
  }

  return {
    async fetch(request, env, ctx) {
      const h = await handlerFor(env);
      const response = await h(request);
      // Views stored in the background, then coalesced KV writes, finish after
      // the response but within the request's lifetime.
      const engine = await h.engine();
      if (!ledgerRead) {
        ledgerRead = true;
        live.readLedger(() => engine.experiments.ledger());
      }
      const flush = settle;
      const traces = flushTraces;
      // A new model is read and checked after this response; requests meanwhile keep the one in use.
      const poll = follower?.due();
      if (poll) ctx.waitUntil(poll);
      // Isolates share no bus: each reloads the stored ledger now and then (a merge, so nothing counts twice).
      const refresh = Date.now() - ledgerLoadedAt >= LEDGER_REFRESH_MS;
      if (refresh) ledgerLoadedAt = Date.now();
      ctx.waitUntil(
        (refresh ? engine.experiments.restore().catch((e) => console.error(String(e))) : Promise.resolve())
          .then(() => engine.idle())
          .then(() => flush?.())
          .then(() => traces?.()),
      );
      return response;
    },
    async queue(batch, env, ctx) {
      const h = await consumerFor(env);
      const apply = createQueueConsumer({
        engine: h.engine,
        kv: env.TESSERA_KV,
        settle: settleConsumer,
        onError: (m, d) => console.error(m, d),
      });
      await apply(batch);
      const flush = settleConsumer;
      if (flush) ctx.waitUntil(flush());
    },
    async engine(env) {
      return (await handlerFor(env)).engine();
    },
  };
}
