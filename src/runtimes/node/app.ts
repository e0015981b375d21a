/**
 * A ready Node deployment: embedded store (SQLite by default), file model
 * store, the site (the demo shop unless told otherwise), the browser script,
 * background retraining. `tessera dev` and `tessera serve` run this.
 * This file wires the pieces beside it: the options (app-options.ts), the
 * site (site-loader.ts), training (node-trainer.ts), retention
 * (retention-sweeps.ts), federated rounds (federation-setup.ts).
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { uplotFromPackage } from '../../admin/chart-library.js';
import { adminRoute, fileAuditSink, fileTokenBook, tokenFilePath } from '../../admin/index.js';
import { createLiveSeries } from '../../admin/live-series.js';
import { teeObserver } from '../../admin/tee-observer.js';
import { makePrivate, privateDir } from '../../connections/private-files.js';
import type { SiteConfig } from '../../core/config.js';
import { createEngine } from '../../core/engine.js';
import type { Origin, StaticAsset } from '../../core/http/engine-state.js';
import { createMemoryRateLimiter } from '../../core/limits/index.js';
import { DEFAULT_RETENTION_DAYS, privacyRoute } from '../../core/privacy/index.js';
import { parseSiteConfig } from '../../core/segments/index.js';
import { federatedRoute } from '../../federated/routes.js';
import { parseModelLifecycle } from '../../models/lifecycle-config.js';
import { loadOrtNode } from '../../models/onnx/ort-node.js';
import { onnxSessionRankers } from '../../models/onnx/session-rankers.js';
import { spoolDepthOf, storeNotReady } from '../../observe/health-readings.js';
import { createMetrics } from '../../observe/metrics.js';
import { metricsRoute, serveMetrics } from '../../observe/metrics-route.js';
import { countedFallback, timed } from '../../observe/timed.js';
import { createEncryptedProfileCodec } from '../../profiles/encrypted-codec.js';
import { openStore } from '../../registry.js';
import type { NodeApp, NodeAppOptions } from './app-options.js';
import { bearerHolds } from './bearer-scope.js';
import { edgeFederationOf } from './federation-setup.js';
import { createNodeRewriter } from './html-rewriter.js';
import { nodeKeyRing } from './key-ring-config.js';
import { consoleLogger } from './logger.js';
import { startModelLifecycle } from './model-lifecycle.js';
import { DEFAULT_MODEL_POLL_MS, watchModels } from './model-watcher.js';
import { nodeKeyRingCrypto } from './node-crypto.js';
import { createNodeTrainer, type NodeTrainer } from './node-trainer.js';
import { startRetentionSweeps } from './retention-sweeps.js';
import { createNodeServer, listen } from './server.js';
import { closeServer, DEFAULT_SHUTDOWN_GRACE_MS } from './server-close.js';
import { withSharedState } from './shared-state.js';
import { loadSite, packageRoot } from './site-loader.js';
import { withModelFallback } from './training.js';

export type { NodeApp, NodeAppOptions } from './app-options.js';
export { loadSite, packageRoot } from './site-loader.js';
export type { TrainOptions, TrainResult } from './training.js';

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
  const canReadStats = bearerHolds(auth, 'read:stats');
  // The decision trace on a page (`X-Tessera-Debug: 1`): for tokens with read:debug, by bearer
  // only; the dashboard's cookie is Path=/admin, so a browser never sends it to the shop's pages.
  const canDebug = bearerHolds(auth, 'read:debug');
  /** Training, and the fallback model while the log is down; made once the engine exists. */
  let trainer: NodeTrainer | undefined;
  // Live updates and the rollout see every event the log takes, replayed from the spool or not.
  const tap = stores.logTap;
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
      events: stores.events,
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
        const report = withModelFallback(stores.health(), trainer?.fallback());
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

  trainer = createNodeTrainer({
    engine,
    events: stores.events,
    models: stores.models,
    catalog: shop.catalog,
    segments: site.segments,
    retrain: lifecycleConfig.retrain,
    logger,
    ...(o.now ? { now: o.now } : {}),
  });
  if (!(await engine.models.reload()) && o.trainIfEmpty !== false) await trainer.trainOrFallBack();
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
  const retrainMs = o.retrainMs ?? 60_000;
  const stopRetraining = retrainMs > 0 ? trainer.retrainEvery(retrainMs) : undefined;
  const retention = startRetentionSweeps({
    profiles: stores.profiles,
    events: stores.events,
    retentionDays: o.retentionDays,
    logger,
  });
  const server = createNodeServer(stores.served(engine), o.refusals ? { refusals: o.refusals } : {});
  const metricsListener =
    o.metricsPort !== undefined ? await serveMetrics(metrics, o.metricsPort, o.metricsHost) : undefined;
  return {
    engine,
    server,
    listen: (port, host) => listen(server, port, host),
    train: trainer.train,
    models,
    sweep: retention.sweep,
    metrics,
    lifecycle: lifecycle.lifecycle,
    modelStore: stores.models,
    metricsPort: metricsListener?.port,
    federation: federation?.node,
    async close() {
      retention.stop();
      metricsListener?.server.close();
      stopRetraining?.();
      models?.stop();
      lifecycle.stop();
      const graceMs = o.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
      const { cut } = await closeServer(server, graceMs);
      if (cut)
        logger.warn(
          `[tessera] shutdown: requests still in flight after ${graceMs} ms; their connections were closed`,
        );
      await engine.flush();
      await federation?.stop();
      await stores.close();
      await tracing?.shutdown();
    },
  };
}
