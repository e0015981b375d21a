/**
 * The Node app's wiring of the model lifecycle (src/models/lifecycle.ts):
 * the event log's tap (log-tap.ts) so live updates and the rollout see every
 * event the log takes, replayed ones included; timers for the alias check,
 * the rollout's looks and the live refresh; the canary gauges in the
 * metrics; and the cluster's bus (rollout counts and events shared with the
 * other nodes: models/lifecycle-bus.ts).
 * @module
 */
import type { CatalogItem, SiteConfig } from '../../core/config.js';
import type { Engine } from '../../core/engine.js';
import type { Bus, Logger, ModelStore } from '../../core/ports.js';
import { ModelLifecycle } from '../../models/lifecycle.js';
import { connectLifecycleBus, type LifecycleBus } from '../../models/lifecycle-bus.js';
import type { ModelLifecycleConfig } from '../../models/lifecycle-config.js';
import type { Metrics } from '../../observe/metrics.js';
import type { LogTap } from './log-tap.js';

/** How often the rollout is judged (each look is cheap: a sort of the latency window). */
export const ROLLOUT_LOOK_MS = 1000;

export interface NodeLifecycle {
  readonly lifecycle: ModelLifecycle;
  stop(): void;
}

export async function startModelLifecycle(o: {
  engine: Engine;
  store: ModelStore;
  site: SiteConfig;
  catalog: readonly CatalogItem[];
  config: ModelLifecycleConfig;
  /** What the event log takes (log-tap.ts): live counts and the rollout hear it. */
  tap: LogTap;
  metrics: Metrics;
  logger: Logger;
  /** Alias checks (ms; 0 = only when asked). */
  pollMs: number;
  now?: () => number;
  /** This node's id (its rollout counts and events on the bus carry it). */
  nodeId?: string;
  /** The cluster's bus: rollout counts and events shared with the other nodes. */
  bus?: Bus | undefined;
  /** Tells the other nodes production moved (this node promoted a candidate). */
  announceModel?: (version: string) => void;
}): Promise<NodeLifecycle> {
  const recSlots = Object.entries(o.site.slots)
    .filter(([, def]) => def.kind === 'recommendations')
    .map(([name]) => name);
  const lifecycle = new ModelLifecycle({
    models: o.engine.models,
    store: o.store,
    config: o.config,
    catalog: new Map(o.catalog.map((c) => [c.id, c])),
    recSlots,
    logger: o.logger,
    ...(o.now ? { now: o.now } : {}),
    onShare: (share) => o.metrics.canary(share),
    onRollback: () => o.metrics.modelRollback(),
    ...(o.nodeId ? { node: o.nodeId } : {}),
    ...(o.announceModel ? { onPromoted: o.announceModel } : {}),
  });
  let shared: LifecycleBus | undefined;
  if (o.bus)
    shared = await connectLifecycleBus({
      bus: o.bus,
      nodeId: o.nodeId ?? 'node-1',
      lifecycle,
      onError: (what, e) => o.logger.warn(`[tessera] [models] bus: ${what}`, { error: String(e) }),
    });
  o.tap.listen((events) => lifecycle.events(events));
  await lifecycle
    .check()
    .catch((e) => o.logger.warn('[tessera] [models] rollout check failed', { error: String(e) }));
  const timers: Array<ReturnType<typeof setInterval>> = [];
  const every = (ms: number, work: () => Promise<unknown> | undefined) => {
    if (ms <= 0) return;
    const t = setInterval(() => {
      void Promise.resolve(work()).catch((e) =>
        o.logger.warn('[tessera] [models] lifecycle step failed', { error: String(e) }),
      );
    }, ms);
    t.unref();
    timers.push(t);
  };
  // Without polling (the simulator, tests) the host checks and looks itself, on its own clock.
  every(o.pollMs, () => lifecycle.check());
  every(o.pollMs > 0 ? ROLLOUT_LOOK_MS : 0, () => lifecycle.evaluate());
  const live = lifecycle.live;
  if (live)
    every(o.config.live.refreshMs, () => {
      live.refresh();
      return undefined;
    });
  return {
    lifecycle,
    stop() {
      for (const t of timers) clearInterval(t);
      shared?.close();
    },
  };
}
