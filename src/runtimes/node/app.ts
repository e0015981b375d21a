/**
 * A ready Node deployment: embedded store (SQLite by default), file model
 * store, the site (the demo shop unless told otherwise), the browser script,
 * background retraining. `tessera dev` and `tessera serve` run this.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bearerToken } from '../../admin/auth.js';
import { uplotFromPackage } from '../../admin/chart-library.js';
import {
  adminRoute,
  authorizeAdmin,
  fileAuditSink,
  fileTokenBook,
  tokenFilePath,
} from '../../admin/index.js';
import { createLiveSeries, teeObserver } from '../../admin/live-series.js';
import { makePrivate, privateDir } from '../../connections/private-files.js';
import { isDependencyDown } from '../../connections/status.js';
import type { CatalogItem, ConsentMode, SiteConfig } from '../../core/config.js';
import type { RequestLike } from '../../core/context.js';
import { createEngine, type Engine } from '../../core/engine.js';
import type { ExperimentSettings } from '../../core/experiments/index.js';
import type { Origin, StaticAsset } from '../../core/http/engine-state.js';
import { createMemoryRateLimiter, type LimitSettings } from '../../core/limits/index.js';
import type { Logger, ModelStore } from '../../core/ports.js';
import {
  DEFAULT_RETENTION_DAYS,
  privacyRoute,
  retentionCutoff,
  type SweepResult,
  sweepRetention,
} from '../../core/privacy/index.js';
import type { SessionRankerProvider } from '../../core/recommend/session-ranker-port.js';
import { parseSiteConfig } from '../../core/segments/index.js';
import type { LoggedEvent } from '../../core/types.js';
import type { FederatedCoordinator } from '../../federated/coordinator.js';
import { type EdgeFederation, startEdgeFederation } from '../../federated/edge.js';
import { type FederatedSettings, parseFederatedSettings } from '../../federated/edge-settings.js';
import { federatedRoute } from '../../federated/routes.js';
import type { ModelLifecycle } from '../../models/lifecycle.js';
import { type ModelLifecycleConfig, parseModelLifecycle } from '../../models/lifecycle-config.js';
import { promoteModel, registerModel } from '../../models/model-registry.js';
import { loadOrtNode } from '../../models/onnx/ort-node.js';
import { onnxSessionRankers } from '../../models/onnx/session-rankers.js';
import { retrainReason } from '../../models/retrain-schedule.js';
import { spoolDepthOf, storeNotReady } from '../../observe/health-readings.js';
import { createMetrics, type Metrics } from '../../observe/metrics.js';
import { metricsRoute, serveMetrics } from '../../observe/metrics-route.js';
import { countedFallback, timed } from '../../observe/timed.js';
import { createEncryptedProfileCodec } from '../../profiles/encrypted-codec.js';
import { openStore } from '../../registry.js';
import { buildModel, TRAIN_STEPS } from '../../train/index.js';
import { createNodeRewriter } from './html-rewriter.js';
import { nodeKeyRing } from './key-ring-config.js';
import { consoleLogger } from './logger.js';
import { startModelLifecycle, tapEventLog } from './model-lifecycle.js';
import { DEFAULT_MODEL_POLL_MS, type ModelWatcher, watchModels } from './model-watcher.js';
import { nodeKeyRingCrypto } from './node-crypto.js';
import type { RefusalOptions } from './refusals.js';
import { createNodeServer, listen } from './server.js';
import { type SharedStateOptions, withSharedState } from './shared-state.js';
import { buildModelInWorker, logPages } from './train-in-worker.js';
import {
  dataWindow,
  emptyWindow,
  type ModelFallback,
  readAll,
  summaryOf,
  type TrainOptions,
  type TrainResult,
  windowed,
  withModelFallback,
} from './training.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The package root, from src/runtimes/node or dist/runtimes/node alike. */
export const packageRoot = resolve(here, '../../..');

export interface NodeAppOptions {
  /** On-device learning: mounts `/federated/*` and serves `/tessera-federated.js` (docs/federated.md). */
  federated?: FederatedCoordinator;
  /**
   * Run the round endpoints with a coordinator of the node's own, joined to
   * the cluster's bus when there is one (federated/edge.ts). Default: the
   * site config's `federated` section, on when its `enabled` is true; `true`
   * turns it on with that section's values (`--federated`); a settings object
   * replaces the section. Ignored when `federated` gives a coordinator.
   */
  federatedSettings?: boolean | FederatedSettings;
  /** `sqlite:PATH` (default `sqlite:<dataDir>/tessera.db`) or `memory:`. */
  store?: string;
  dataDir?: string;
  /** Folder with `shop.mjs` exporting `loadShop()` (default: examples/shop). */
  siteDir?: string;
  nodeId?: string;
  secret?: string;
  /** Key ring `KID:SECRET,...` (default TESSERA_KEYS); without it, the secret is key k1. */
  keys?: string;
  /** The key id that encrypts (default TESSERA_KEY_CURRENT, else the last of `keys`). */
  keyCurrent?: string;
  /** Encrypt profiles at rest with the key ring (default true). */
  encryptAtRest?: boolean;
  consentMode?: ConsentMode;
  /** Every cookie Tessera sets carries `Secure` (serve over HTTPS); default false. */
  secureCookies?: boolean;
  /** Retrain from the event log this often when it grew (ms; 0 = never). */
  retrainMs?: number;
  /** Poll the model store for a new version this often (ms, default 2000; 0 = never). */
  modelPollMs?: number;
  /** Train at start when the model store is empty (default true). */
  trainIfEmpty?: boolean;
  logger?: Logger;
  /** Token with every admin scope (default: TESSERA_ADMIN_TOKEN); scoped ones live in `<dataDir>/admin-tokens.json`. */
  adminToken?: string;
  /** Delete profiles and events older than this many days, once a day (default 365). */
  retentionDays?: number;
  /** Experiment settings: confidence, auto-promotion. */
  experiments?: ExperimentSettings;
  /** URL/cookie sizes, `/collect` rate limits, the trusted client-IP header. */
  limits?: Partial<LimitSettings>;
  /** How refusals are written: held back for connections that ignore `Retry-After` (refusals.ts). */
  refusals?: RefusalOptions;
  /** The engine's clock and id source (default: wall time, random ids); the simulator's are virtual and seeded. */
  now?: () => number;
  visitorIds?: () => string;
  /** Also serve `/metrics` without a token on this port (0: any free port), bound to `metricsHost`. */
  metricsPort?: number;
  /** Interface of the metrics listener (default 127.0.0.1: only this host's scraper). */
  metricsHost?: string;
  /**
   * Send OpenTelemetry traces over OTLP/HTTP to this endpoint (see
   * observe/otlp-node.ts); unset, the tracing SDK is not even loaded.
   */
  otlpEndpoint?: string;
  /**
   * Ranks recommendation slots with the session model of an artifact that
   * carries one (ONNX section; docs/onnx.md). Default: onnxruntime-web
   * (wasm), loaded on the first such model; `false`: neighbour lists only.
   */
  sessionRanker?: SessionRankerProvider | false;
  /** Bus, event log, key prefix, test routes of a node in a cluster (see shared-state.ts). */
  cluster?: Omit<SharedStateOptions, 'nodeId' | 'dataDir' | 'logger'>;
  /** The site config's `models` section, changed (the simulator's rollout settings; tests). */
  modelLifecycle?: (config: ModelLifecycleConfig) => ModelLifecycleConfig;
}

export interface NodeApp {
  engine: Engine;
  server: Server;
  listen(port: number, host?: string): Promise<number>;
  /** Train from the catalog and the event log, store the artifact, load it. */
  train(opts?: TrainOptions): Promise<TrainResult>;
  /** Polls the model store and swaps new versions in (hot swap); undefined when polling is off. */
  models: ModelWatcher | undefined;
  /** Delete profiles and events past `retentionDays` now (the daily timer calls this too). */
  sweep(): Promise<SweepResult>;
  /** The node's Prometheus metrics (`/metrics`). */
  metrics: Metrics;
  /** Live updates and the candidate's rollout (docs/models.md). */
  lifecycle: ModelLifecycle;
  /** The model registry's store this node serves from. */
  modelStore: ModelStore;
  /** The port of the token-less metrics listener, when `metricsPort` was given. */
  metricsPort: number | undefined;
  /** This node's member of the federated-learning federation, when the node runs rounds itself. */
  federation: EdgeFederation['node'] | undefined;
  close(): Promise<void>;
}

export type { TrainOptions, TrainResult } from './training.js';

interface Shop {
  site: unknown;
  catalog: CatalogItem[];
  render(path: string): { status: number; html: string } | undefined;
  assets: Record<string, { type: string; body: string }>;
}

export async function loadSite(siteDir: string): Promise<Shop> {
  const mod = (await import(pathToFileURL(join(siteDir, 'shop.mjs')).href)) as {
    loadShop(dir?: string): Promise<Shop>;
  };
  return mod.loadShop(siteDir);
}

/** The node's own round coordinator and federation member, when the options or the site ask for one. */
async function edgeFederationOf(
  o: NodeAppOptions,
  shop: Shop,
  stores: { models: ModelStore; bus: Parameters<typeof startEdgeFederation>[0]['bus'] },
  logger: Logger,
): Promise<EdgeFederation | undefined> {
  if (o.federated) return undefined;
  const section = (shop.site as { federated?: unknown }).federated;
  const settings =
    typeof o.federatedSettings === 'object'
      ? o.federatedSettings
      : parseFederatedSettings(section, o.federatedSettings === true);
  if (!settings?.enabled) return undefined;
  const federation = await startEdgeFederation({
    settings,
    nodeId: o.nodeId ?? 'node-1',
    catalog: shop.catalog,
    models: stores.models,
    bus: stores.bus,
    logger,
  });
  const c = federation.coordinator;
  logger.info(
    `[tessera] federated rounds on /federated/: ${settings.clientsPerRound} clients per round here, ε ${settings.epsilon} at δ ${settings.delta} over ${settings.rounds} rounds, ${stores.bus ? `bus ${stores.bus.name}` : 'this node alone'} (${c.o.items.length} items × ${c.o.dim})`,
  );
  return federation;
}

/** How long a changed profile waits for its store write on a node with the embedded store. */
export const PROFILE_WRITE_BEHIND_MS = 50;

export async function createNodeApp(o: NodeAppOptions = {}): Promise<NodeApp> {
  const dataDir = resolve(o.dataDir ?? '.tessera');
  // Owner-only, and tightened when an older version left it (or its secret) readable.
  privateDir(dataDir, { fix: true });
  makePrivate(join(dataDir, 'secret'), tokenFilePath(dataDir));
  const logger = o.logger ?? consoleLogger('info', { node: o.nodeId ?? 'node-1' });
  const metrics = createMetrics({ logger });
  // Imported only when asked for: without an endpoint no tracing code loads.
  const tracing = o.otlpEndpoint
    ? (await import('../../observe/otlp-node.js')).startNodeTracing({
        endpoint: o.otlpEndpoint,
        nodeId: o.nodeId ?? 'node-1',
      })
    : undefined;
  // The dashboard's time series: the same observer calls as /metrics, kept a few minutes in memory.
  const live = createLiveSeries();
  const shop = await loadSite(o.siteDir ?? join(packageRoot, 'examples/shop'));
  const site: SiteConfig = parseSiteConfig(shop.site);
  const lifecycleConfig = (o.modelLifecycle ?? ((c) => c))(
    parseModelLifecycle((shop.site as { models?: unknown }).models),
  );
  const storeSpec = o.store ?? `sqlite:${join(dataDir, 'tessera.db')}`;
  const keys = nodeKeyRing(o, dataDir);
  const codec = o.encryptAtRest === false ? undefined : createEncryptedProfileCodec(keys);
  // Retention reaches the stores that can expire data themselves (Redis TTL,
  // JetStream max age); SQLite and memory are swept by the daily timer below.
  const retentionMs = (o.retentionDays ?? DEFAULT_RETENTION_DAYS) * 86_400_000;
  const stores = await withSharedState(
    await openStore(storeSpec, { dataDir, prefix: o.cluster?.prefix, codec, retentionMs }),
    {
      ...o.cluster,
      nodeId: o.nodeId ?? 'node-1',
      dataDir,
      logger,
      retentionMs,
      instrument: (port, driver) => timed(port, driver, metrics),
    },
  );
  metrics.readSpoolDepth(() => spoolDepthOf(stores.health()));
  const federation = await edgeFederationOf(o, shop, stores, logger);
  const coordinator = o.federated ?? federation?.coordinator;
  const bundlePath = join(packageRoot, 'dist/browser/tessera.min.js');
  if (!existsSync(bundlePath)) throw new Error(`[tessera] ${bundlePath} is missing: run \`npm run build\``);
  const assets: Record<string, StaticAsset> = {
    '/tessera.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(bundlePath, 'utf8') },
  };
  if (coordinator)
    assets['/tessera-federated.js'] = {
      type: 'text/javascript; charset=utf-8',
      body: readFileSync(join(packageRoot, 'dist/browser/tessera-federated.min.js'), 'utf8'),
    };
  for (const [path, a] of Object.entries(shop.assets)) assets[path] = a;
  const origin: Origin = { render: (path) => shop.render(path) };
  const adminToken = o.adminToken ?? process.env.TESSERA_ADMIN_TOKEN;
  const adminTokens = fileTokenBook(tokenFilePath(dataDir));
  const auth = { tokens: adminTokens, envToken: adminToken || undefined };
  // The node's details on /health: for the same tokens as the admin API's statistics.
  const canReadStats = async (req: RequestLike): Promise<boolean> => {
    const token = bearerToken(req);
    if (!token) return false; // load balancers' probes: no token, no file read
    return authorizeAdmin(auth, token, 'read:stats').then(
      () => true,
      () => false,
    );
  };
  /** Set while the node serves a model built without the log; cleared by the first training on it. */
  let fallback: ModelFallback | undefined;
  // The decision trace on a page (`X-Tessera-Debug: 1`): for tokens with read:debug, by bearer
  // only; the dashboard's cookie is Path=/admin, so a browser never sends it to the shop's pages.
  const canDebug = async (req: RequestLike): Promise<boolean> => {
    const token = bearerToken(req);
    if (!token) return false;
    const auth = { tokens: adminTokens, envToken: adminToken || undefined };
    return authorizeAdmin(auth, token, 'read:debug').then(
      () => true,
      () => false,
    );
  };
  // Live updates and the rollout see every event the log takes.
  const tap = tapEventLog(stores.events);
  /** The lifecycle's state for /health, once it runs. */
  let lifecycleState: (() => Record<string, unknown>) | undefined;
  const engine = createEngine(
    {
      site,
      catalog: shop.catalog,
      settings: {
        secret: keys,
        nodeId: o.nodeId ?? 'node-1',
        consentMode: o.consentMode ?? 'opt-in',
        secureCookies: o.secureCookies ?? false,
      },
      ...(o.experiments ? { experiments: o.experiments } : {}),
      ...(o.limits ? { limits: o.limits } : {}),
      // The embedded store takes profile writes behind ingest (the log first, see
      // core/profile-writes.ts); a networked store keeps its write-through path,
      // where a failed write defers the batch's events to the spool.
      ...(stores.local ? { profileWriteBehindMs: PROFILE_WRITE_BEHIND_MS } : {}),
    },
    {
      profiles: stores.profiles,
      events: tap.log,
      models: stores.models,
      ledger: stores.ledger,
      rewriter: createNodeRewriter,
      origin,
      assets,
      logger,
      ...(o.now ? { now: o.now } : {}),
      ...(o.visitorIds ? { visitorIds: o.visitorIds } : {}),
      keyRingCrypto: nodeKeyRingCrypto(),
      routes: [
        adminRoute({
          token: adminToken,
          tokens: adminTokens,
          audit: fileAuditSink(dataDir),
          live,
          models: stores.models,
          // The dashboard's rollback/promote: the other nodes hear it as they hear `tessera model rollback`.
          announceModel: (version) => stores.cluster?.announceModel(version),
          lifecycle: () => lifecycleState?.(),
          charts: uplotFromPackage(),
        }),
        privacyRoute(),
        metricsRoute(metrics, auth),
        ...(coordinator ? [federatedRoute(coordinator)] : []),
      ],
      health: () => {
        const report = withModelFallback(stores.health(), fallback);
        return lifecycleState ? { ...report, models: lifecycleState() } : report;
      },
      canReadStats,
      accounting: stores.accounting,
      canDebug,
      ingestFallback: countedFallback(stores.ingestFallback, metrics),
      observer: teeObserver(metrics.observer, live.observer),
      ...(tracing ? { tracer: tracing.tracer } : {}),
      notReady: () => storeNotReady(stores.health()),
      ...(o.sessionRanker !== false
        ? { sessionRanker: o.sessionRanker ?? onnxSessionRankers({ ort: loadOrtNode }) }
        : {}),
      // Buckets shared by all nodes when they share Redis; per node otherwise.
      rateLimiter: stores.rateLimiter ? await stores.rateLimiter() : createMemoryRateLimiter(),
    },
  );
  // Counts and statuses as they were before a restart (or as the other nodes have them).
  await engine.experiments.restore();
  live.readLedger(() => engine.experiments.ledger());
  await stores.attach(engine);

  const segmentCategories: Record<string, string[]> = {};
  for (const seg of site.segments) {
    const m = JSON.stringify(seg.rule).match(/"category:([a-z0-9-]+)"/);
    if (m?.[1]) segmentCategories[seg.id] = [m[1]];
  }
  let trainedAt = -1;
  let trainedTime = Number.NEGATIVE_INFINITY;
  async function train(t: TrainOptions = {}): Promise<TrainResult> {
    const t0 = performance.now();
    const total = TRAIN_STEPS.length + 1;
    t.onStep?.('read log', 0, total);
    // In a worker the log streams over page by page; the main thread keeps only the data window.
    const window = emptyWindow();
    const events = t.worker ? windowed(logPages(stores.events), window) : await readAll(stores.events);
    const { artifact, stats } = await build(events, t);
    const meta = {
      algorithm: stats.algorithm,
      params: stats.params,
      data: Array.isArray(events) ? dataWindow(events) : window,
      created: o.now?.() ?? Date.now(),
    };
    let version: string;
    if (t.candidate) {
      version = (await registerModel(stores.models, artifact, meta)).version;
      await promoteModel(stores.models, version, 'candidate');
    } else {
      await stores.models.put(artifact, meta);
      version = engine.models.swap(artifact).version;
      fallback = undefined;
    }
    trainedAt = meta.data.count;
    trainedTime = o.now?.() ?? Date.now();
    return summaryOf(version, artifact, stats, t0);
  }
  async function build(events: LoggedEvent[] | AsyncIterable<LoggedEvent[]>, t: TrainOptions) {
    const total = TRAIN_STEPS.length + 1;
    const common = {
      catalog: shop.catalog,
      segments: segmentCategories,
      ...(o.now ? { now: o.now() } : {}),
      ...(t.algorithm ? { algorithm: t.algorithm } : {}),
      ...(t.perUser !== undefined ? { perUser: t.perUser } : {}),
      ...(t.log ? { log: t.log } : {}),
      onStep: (step: (typeof TRAIN_STEPS)[number], i: number) => t.onStep?.(step, i + 1, total),
    };
    return Array.isArray(events)
      ? buildModel({ ...common, events })
      : buildModelInWorker({ ...common, events: events as AsyncIterable<LoggedEvent[]> });
  }
  if (!(await engine.models.reload()) && o.trainIfEmpty !== false) {
    try {
      await train();
    } catch (e) {
      if (!isDependencyDown(e)) throw e;
      // No model and no log: serve what the catalog alone gives (attribute neighbours,
      // catalog order) rather than not start. Kept in memory only: the model store and
      // the other nodes get the first model trained on events, by the retrain timer.
      const t0 = performance.now();
      const { artifact, stats } = await build([], {});
      const summary = summaryOf(engine.models.swap(artifact).version, artifact, stats, t0);
      fallback = { source: 'attributes-only', reason: 'log unavailable' };
      logger.warn(
        `[tessera] the event log is down: serving the attribute-only model ${summary.version} until it is back`,
        { error: String(e) },
      );
    }
  }
  // Hot swap: another process (`tessera train`) may write the store; pick its versions up.
  const pollMs = o.modelPollMs ?? DEFAULT_MODEL_POLL_MS;
  const models =
    pollMs > 0
      ? watchModels({
          store: stores.models,
          engine,
          logger,
          intervalMs: pollMs,
          ...(stores.modelPaths ? { paths: stores.modelPaths } : {}),
        })
      : undefined;
  const lifecycle = await startModelLifecycle({
    engine,
    store: stores.models,
    site,
    catalog: shop.catalog,
    config: lifecycleConfig,
    tap,
    metrics,
    logger,
    pollMs,
    ...(o.now ? { now: o.now } : {}),
    nodeId: o.nodeId ?? 'node-1',
    bus: stores.bus,
    announceModel: (version) => stores.cluster?.announceModel(version),
  });
  lifecycleState = () => lifecycle.lifecycle.state();
  let timer: ReturnType<typeof setInterval> | undefined;
  const retrainMs = o.retrainMs ?? 60_000;
  if (retrainMs > 0) {
    // One retrain at a time: a worker-thread training outlives many ticks, and starting one per
    // tick while the first runs would pile trainings up (each slower for the others) and never end.
    let retraining = false;
    timer = setInterval(() => {
      if (retraining) return;
      retraining = true;
      void stores.events
        .count()
        .then(async (n) => {
          const reason = retrainReason(
            { now: o.now?.() ?? Date.now(), events: n, trainedEvents: trainedAt, trainedAt: trainedTime },
            lifecycleConfig.retrain,
          );
          if (reason) {
            const r = await train({
              worker: lifecycleConfig.retrain.worker,
              candidate: lifecycleConfig.retrain.asCandidate,
            });
            logger.info(
              `[tessera] retrained (${reason}): model ${r.version}, ${r.interactions} interactions, ${r.ms.toFixed(0)} ms`,
            );
          }
        })
        .catch((e) => logger.warn('[tessera] retrain failed', { error: String(e) }))
        .finally(() => {
          retraining = false;
        });
    }, retrainMs);
    timer.unref();
  }
  const sweep = () =>
    sweepRetention(stores.profiles, stores.events, retentionCutoff(Date.now(), o.retentionDays));
  const sweeper = setInterval(() => {
    void sweep()
      .then((r) => logger.info(`[tessera] retention: ${r.profiles} profiles, ${r.events} events deleted`))
      .catch((e) => logger.warn('[tessera] retention sweep failed', { error: String(e) }));
  }, 86_400_000);
  sweeper.unref();
  const server = createNodeServer(stores.served(engine), o.refusals ? { refusals: o.refusals } : {});
  const metricsListener =
    o.metricsPort !== undefined ? await serveMetrics(metrics, o.metricsPort, o.metricsHost) : undefined;
  return {
    engine,
    server,
    listen: (port, host) => listen(server, port, host),
    train,
    models,
    sweep,
    metrics,
    lifecycle: lifecycle.lifecycle,
    modelStore: stores.models,
    metricsPort: metricsListener?.port,
    federation: federation?.node,
    async close() {
      clearInterval(sweeper);
      metricsListener?.server.close();
      if (timer) clearInterval(timer);
      models?.stop();
      lifecycle.stop();
      await new Promise<void>((r) => server.close(() => r()));
      await engine.flush();
      await federation?.stop();
      await stores.close();
      await tracing?.shutdown();
    },
  };
}
