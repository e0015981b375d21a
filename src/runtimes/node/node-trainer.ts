/**
 * The Node app's training: from the event log (read whole, or streamed page
 * by page to a worker thread) to a model in the store and in the engine, or
 * registered as the candidate. Also the model a node starts on when the store
 * has none and the log is down (the catalog's attributes alone, until the log
 * is back), and the retrain timer that trains again as the log grows.
 * The pieces it returns and prints are in training.ts.
 * @module
 */

import { isDependencyDown } from '../../connections/status.js';
import type { CatalogItem, SiteConfig } from '../../core/config.js';
import type { Engine } from '../../core/engine.js';
import type { EventLog, Logger, ModelStore } from '../../core/ports.js';
import type { LoggedEvent } from '../../core/types.js';
import type { ModelLifecycleConfig } from '../../models/lifecycle-config.js';
import { promoteModel, registerModel } from '../../models/model-registry.js';
import { retrainReason } from '../../models/retrain-schedule.js';
import { buildModel, TRAIN_STEPS } from '../../train/index.js';
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
} from './training.js';

export interface NodeTrainer {
  /** Train from the catalog and the event log, store the artifact, load it (or register it as the candidate). */
  train(opts?: TrainOptions): Promise<TrainResult>;
  /** Train on the log; when the log is down, serve the attribute-only model instead (kept in memory only). */
  trainOrFallBack(): Promise<void>;
  /** Set while the node serves a model built without the log; cleared by the first training on it. */
  fallback(): ModelFallback | undefined;
  /** Train again every `ms` when the retrain schedule says the log grew enough; returns the stop. */
  retrainEvery(ms: number): () => void;
}

export function createNodeTrainer(o: {
  engine: Engine;
  /** The log as the store has it (not the engine's tapped one). */
  events: EventLog;
  models: ModelStore;
  catalog: CatalogItem[];
  segments: SiteConfig['segments'];
  retrain: ModelLifecycleConfig['retrain'];
  logger: Logger;
  now?: () => number;
}): NodeTrainer {
  const segmentCategories: Record<string, string[]> = {};
  for (const seg of o.segments) {
    const m = JSON.stringify(seg.rule).match(/"category:([a-z0-9-]+)"/);
    if (m?.[1]) segmentCategories[seg.id] = [m[1]];
  }
  let fallback: ModelFallback | undefined;
  let trainedAt = -1;
  let trainedTime = Number.NEGATIVE_INFINITY;
  async function train(t: TrainOptions = {}): Promise<TrainResult> {
    const t0 = performance.now();
    const total = TRAIN_STEPS.length + 1;
    t.onStep?.('read log', 0, total);
    // In a worker the log streams over page by page; the main thread keeps only the data window.
    const window = emptyWindow();
    const events = t.worker ? windowed(logPages(o.events), window) : await readAll(o.events);
    const { artifact, stats } = await build(events, t);
    const meta = {
      algorithm: stats.algorithm,
      params: stats.params,
      data: Array.isArray(events) ? dataWindow(events) : window,
      created: o.now?.() ?? Date.now(),
    };
    let version: string;
    if (t.candidate) {
      version = (await registerModel(o.models, artifact, meta)).version;
      await promoteModel(o.models, version, 'candidate');
    } else {
      await o.models.put(artifact, meta);
      version = o.engine.models.swap(artifact).version;
      fallback = undefined;
    }
    trainedAt = meta.data.count;
    trainedTime = o.now?.() ?? Date.now();
    return summaryOf(version, artifact, stats, t0);
  }
  async function build(events: LoggedEvent[] | AsyncIterable<LoggedEvent[]>, t: TrainOptions) {
    const total = TRAIN_STEPS.length + 1;
    const common = {
      catalog: o.catalog,
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
  async function trainOrFallBack(): Promise<void> {
    try {
      await train();
    } catch (e) {
      if (!isDependencyDown(e)) throw e;
      // No model and no log: serve what the catalog alone gives (attribute neighbours,
      // catalog order) rather than not start. Kept in memory only: the model store and
      // the other nodes get the first model trained on events, by the retrain timer.
      const t0 = performance.now();
      const { artifact, stats } = await build([], {});
      const summary = summaryOf(o.engine.models.swap(artifact).version, artifact, stats, t0);
      fallback = { source: 'attributes-only', reason: 'log unavailable' };
      o.logger.warn(
        `[tessera] the event log is down: serving the attribute-only model ${summary.version} until it is back`,
        { error: String(e) },
      );
    }
  }
  function retrainEvery(ms: number): () => void {
    // One retrain at a time: a worker-thread training outlives many ticks, and starting one per
    // tick while the first runs would pile trainings up (each slower for the others) and never end.
    let retraining = false;
    let startedAt = 0;
    let warnedSlow = false;
    // A retrain that runs past ten ticks (at least 30 s) is said once: one that never ends
    // (a log read that never settles) would otherwise stop every later retrain in silence.
    const slowMs = Math.max(10 * ms, 30_000);
    const timer = setInterval(() => {
      if (retraining) {
        const running = performance.now() - startedAt;
        if (!warnedSlow && running > slowMs) {
          warnedSlow = true;
          o.logger.warn(
            `[tessera] a retrain has been running for ${Math.round(running / 1000)} s; no other starts until it ends`,
          );
        }
        return;
      }
      retraining = true;
      startedAt = performance.now();
      warnedSlow = false;
      void o.events
        .count()
        .then(async (n) => {
          const reason = retrainReason(
            { now: o.now?.() ?? Date.now(), events: n, trainedEvents: trainedAt, trainedAt: trainedTime },
            o.retrain,
          );
          if (reason) {
            const r = await train({ worker: o.retrain.worker, candidate: o.retrain.asCandidate });
            o.logger.info(
              `[tessera] retrained (${reason}): model ${r.version}, ${r.interactions} interactions, ${r.ms.toFixed(0)} ms`,
            );
          }
        })
        .catch((e) => o.logger.warn('[tessera] retrain failed', { error: String(e) }))
        .finally(() => {
          retraining = false;
        });
    }, ms);
    timer.unref();
    return () => clearInterval(timer);
  }
  return { train, trainOrFallBack, fallback: () => fallback, retrainEvery };
}
