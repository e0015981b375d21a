/**
 * A node's shared state: the networked backends a node opens beside (or
 * instead of) its embedded store, and what keeps it serving when they fail.
 *
 * - store `redis://...`: profiles and links in Redis, the log in a Redis Stream;
 * - log `nats://...` / `redis://...`: the event log there instead of the store's;
 * - bus `nats://...` / `redis://...` / `memory:`: profile deltas, tombstones,
 *   model notices between nodes (see `cluster-sync.ts`);
 * - the spool (`<dataDir>/spool.db`): writes a dependency could not take,
 *   replayed in order when it is back (see `resilient.ts`, `replay.ts`);
 * - `/health`: which dependencies are degraded, and each one's status.
 * @module
 */
import { join } from 'node:path';
import { type ClusterSync, startClusterSync } from '../../cluster/cluster-sync.js';
import { type Replayer, startReplay } from '../../cluster/replay.js';
import {
  replayLog,
  replayStore,
  resilientLog,
  resilientStore,
  spoolIngest,
} from '../../cluster/resilient.js';
import type { ConnectionState } from '../../connections/status.js';
import type { Engine, HealthReport } from '../../core/engine.js';
import { createLossAccounting, type LossAccounting } from '../../core/loss-accounting.js';
import type { Bus, EventLog, Logger, ModelStore, ProfileStore } from '../../core/ports.js';
import type { IngestFallback } from '../../core/profile-service.js';
import { artifactVersion } from '../../core/recommend/index.js';
import { type OpenedStores, openBus, openLog } from '../../registry.js';
import { type LogTap, tapEventLog } from './log-tap.js';
import { openSpool } from './spool.js';
import { withTestRoutes } from './test-routes.js';

export interface SharedStateOptions {
  bus?: string | undefined;
  log?: string | undefined;
  /** Namespace of keys, subjects and streams (default `tessera`). */
  prefix?: string | undefined;
  nodeId: string;
  dataDir: string;
  logger: Logger;
  testEndpoints?: boolean | undefined;
  /** How often the spool looks for entries to replay without a status change (ms). */
  replayRetryMs?: number;
  /** Retention: JetStream drops events older than this (ms); 0 or unset keeps them. */
  retentionMs?: number | undefined;
  /** Wraps each store, log and bus as it is opened (metrics: see observe/timed.ts). */
  instrument?: <T extends ProfileStore | EventLog | Bus>(port: 'store' | 'log' | 'bus', driver: T) => T;
}

/** What the registry's `openStore` returns. */
export type BaseStores = OpenedStores;

export interface SharedState {
  /** For `EnginePorts.health`. */
  health(): HealthReport;
  /** For `EnginePorts.accounting`: the spool counts into the engine's counters. */
  readonly accounting: LossAccounting;
  /** For `EnginePorts.ingestFallback`. */
  readonly ingestFallback: IngestFallback;
  /** Subscribes to the bus and starts replaying the spool; call once the engine exists. */
  attach(engine: Engine): Promise<void>;
  /** The engine the HTTP server should call (adds the test routes when enabled). */
  served(engine: Engine): Engine;
  readonly cluster: ClusterSync | undefined;
  /** The bus between nodes, when one is configured (federated learning publishes its partials on it). */
  readonly bus: Bus | undefined;
  /**
   * Every event the log takes, written now or replayed from the spool, each
   * once: `events` writes through it (for the model lifecycle's live counts
   * and click credits).
   */
  readonly logTap: LogTap;
}

interface Dependency {
  role: string;
  driver: string;
  state: ConnectionState | undefined;
}

const stateOf = (x: object): ConnectionState | undefined =>
  'status' in x && 'onStatus' in x ? (x as unknown as ConnectionState) : undefined;

export async function withSharedState<S extends BaseStores>(
  opened: S,
  o: SharedStateOptions,
): Promise<S & SharedState> {
  const logger = o.logger;
  const ctx = { dataDir: o.dataDir, prefix: o.prefix, nodeId: o.nodeId, retentionMs: o.retentionMs };
  const instrument = o.instrument ?? ((_, driver) => driver);
  const base = {
    ...opened,
    profiles: instrument('store', opened.profiles),
    events: instrument('log', opened.events),
  };
  const ownLog = o.log ? instrument('log', await openLog(o.log, ctx)) : undefined;
  const rawLog = ownLog ?? base.events;
  const bus = o.bus ? instrument('bus', await openBus(o.bus, ctx)) : undefined;
  const spool = await openSpool(join(o.dataDir, 'spool.db'));
  const profiles = resilientStore(base.profiles, spool);
  const accounting = createLossAccounting();
  // Tapped under the spool: a spooled event is heard when the log takes it on replay, and then only
  // if the log found it new (never at spool time, where every event counts as new: log-tap.ts).
  const logTap = tapEventLog(rawLog);
  const events = resilientLog(logTap.log, spool, accounting);
  const deps: Dependency[] = [
    { role: 'store', driver: base.profiles.name, state: stateOf(base.profiles) },
    { role: 'log', driver: rawLog.name, state: stateOf(rawLog) },
    ...(bus ? [{ role: 'bus', driver: bus.name, state: stateOf(bus) }] : []),
  ];
  let cluster: ClusterSync | undefined;
  const replayers: Replayer[] = [];

  // A new production version (training here) is announced; the registry's other moves announce themselves.
  const models: ModelStore = {
    ...base.models,
    async put(artifact, meta) {
      await base.models.put(artifact, meta);
      cluster?.announceModel(artifactVersion(artifact));
    },
  };

  const health = (): HealthReport => {
    const degraded = new Set<string>();
    const dependencies: Record<string, unknown> = {};
    for (const d of deps) {
      const status = d.state?.status() ?? 'ready';
      if (status !== 'ready') degraded.add(d.driver === 'jetstream' ? 'nats' : d.driver);
      dependencies[d.role] = { driver: d.driver, status };
    }
    dependencies.spool = {
      pending: spool.pending(),
      log: spool.pending('log'),
      store: spool.pending('store'),
    };
    if (cluster) dependencies.cluster = cluster.stats();
    return { degraded: [...degraded].sort(), dependencies };
  };

  const close = async () => {
    for (const r of replayers) r.stop();
    await cluster?.close().catch(() => undefined);
    await bus?.close().catch(() => undefined);
    if (ownLog) await ownLog.close().catch(() => undefined);
    await base.close();
    spool.close();
  };

  return {
    ...base,
    profiles,
    events,
    models,
    health,
    accounting,
    ingestFallback: spoolIngest(spool),
    get cluster() {
      return cluster;
    },
    bus,
    logTap,
    async attach(engine) {
      if (bus) {
        cluster = await startClusterSync({
          bus,
          nodeId: o.nodeId,
          engine,
          localStore: base.local,
          // A store of its own is paged after a cut for everything changed since, however long ago.
          ...(base.local ? { store: base.profiles } : {}),
          logger,
        });
      }
      const retryMs = o.replayRetryMs ?? 1000;
      const storeState = deps[0]?.state;
      const logState = deps[1]?.state;
      replayers.push(
        startReplay({
          spool,
          target: 'log',
          logger,
          retryMs,
          ...(logState ? { state: logState } : {}),
          apply: (entry) => replayLog(logTap.log, entry, accounting),
        }),
        startReplay({
          spool,
          target: 'store',
          logger,
          retryMs,
          ...(storeState ? { state: storeState } : {}),
          apply: (entry) =>
            // Stores the events, refreshes this node's cache and announces the profile on the bus.
            replayStore(base.profiles, entry, (visitor, events) =>
              engine.profiles.applyDeferred(visitor, events),
            ),
        }),
      );
    },
    served: (engine) => (o.testEndpoints ? withTestRoutes(engine, () => cluster?.stats()) : engine),
    close,
  };
}
