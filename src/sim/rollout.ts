/**
 * The rollout simulation: shoppers visit the demo shop while a candidate
 * model runs as a canary on a share of them, and the node's own guardrails
 * and sequential tests decide. Two scenarios:
 *
 * - `bad`: production is trained on a warm-up's events; the candidate's
 *   lists are random (random-model.ts). It should be rolled back.
 * - `good`: production serves popular lists only (no neighbours: a shop
 *   before its first trained model); the candidate is trained on the
 *   warm-up's events. It should be promoted. (Against the attribute-only
 *   model the shop starts with, the simulated shoppers — whose tastes are
 *   attributes — show no significant difference in 8,000 visitors.)
 *
 * The result says after how many visitors (of the rollout, both arms) the
 * verdict came. Seeded like `simulate`: same seed, same counts, except that
 * the latency guardrail reads wall-clock time.
 * @module
 */
import type { RolloutOutcome } from '../models/lifecycle.js';
import { promoteModel, registerModel } from '../models/model-registry.js';
import { seededRandom } from '../stats/random.js';
import { ShopperClient, type Timings } from './client.js';
import { virtualClock } from './clock.js';
import { runSchedule } from './schedule.js';
import { startSimServer } from './server.js';
import { DEFAULT_MODEL, visit } from './shopper.js';
import { popularOnlyModel, randomListsModel } from './sim-models.js';
import { makeWorld } from './taste.js';

export type RolloutScenario = 'bad' | 'good';

export interface RolloutSimOptions {
  candidate: RolloutScenario;
  seed: number;
  /** Share of visitors the candidate serves (default 0.5: the verdict comes sooner). */
  share?: number;
  /** Visitors before the candidate exists (they train the models; default 1000). */
  warmup?: number;
  /** Rollout visitors at most (default 8000); the canary retires an undecided candidate at this many. */
  maxVisitors?: number;
  /** Visitors between two looks at the rollout (default 25). */
  lookEvery?: number;
  /**
   * The latency guardrail's slack over production's p99, in ms (default: the
   * site's, 2 ms). Wall-clock time on a machine the shoppers share can trip it
   * by itself; a test about the click-rate verdict sets it wide.
   */
  latencySlackMs?: number;
  concurrency?: number;
  onProgress?: (visitors: number) => void;
}

export interface RolloutSimResult {
  scenario: RolloutScenario;
  seed: number;
  share: number;
  warmup: number;
  production: string;
  candidate: string;
  /** How the rollout ended; null when it had not after `maxVisitors`. */
  outcome: RolloutOutcome | null;
  /** Simulated visitors from the candidate's start to the verdict (both arms). */
  visitors_to_verdict: number | null;
  /** The rollout's counts when it ended (or at the end of the run). */
  rollout: Record<string, unknown>;
  seconds: number;
}

export async function simulateRollout(o: RolloutSimOptions): Promise<RolloutSimResult> {
  const t0 = performance.now();
  const share = o.share ?? 0.5;
  const warmup = o.warmup ?? 1000;
  const maxVisitors = o.maxVisitors ?? 8000;
  const lookEvery = o.lookEvery ?? 25;
  const clock = virtualClock();
  const server = await startSimServer({
    experiment: 'recs-strategy',
    personalization: true,
    seed: o.seed,
    now: clock.now,
    modelLifecycle: (c) => ({
      ...c,
      rollout: {
        ...c.rollout,
        mode: 'canary',
        share,
        maxVisitors: Math.ceil(maxVisitors * share),
        ...(o.latencySlackMs !== undefined ? { latencySlackMs: o.latencySlackMs } : {}),
      },
    }),
  });
  try {
    const { app } = server;
    const world = makeWorld(server.catalog);
    const timings: Timings = { page: [], server: [] };
    const run = (from: number, to: number) =>
      runSchedule({
        lanes: o.concurrency ?? 4,
        from,
        to,
        clock,
        settle: () => app.engine.idle(),
        shopper: async (i, turn) => {
          const rnd = seededRandom((o.seed * 1_000_003 + i) >>> 0);
          await visit(new ShopperClient(server.url, timings, turn), world, rnd, DEFAULT_MODEL);
        },
      });
    await run(0, warmup);
    let candidate: string;
    if (o.candidate === 'bad') {
      await app.train();
      const bytes = await randomListsModel(server.catalog, o.seed);
      const store = app.modelStore;
      candidate = (await registerModel(store, bytes, { algorithm: 'random-lists' })).version;
      await promoteModel(store, candidate, 'candidate');
    } else {
      const weak = await popularOnlyModel(server.catalog);
      await app.modelStore.put(weak, { algorithm: 'popular-only' });
      app.engine.models.swap(weak);
      candidate = (await app.train({ candidate: true })).version;
    }
    const production = app.engine.models.current()?.version ?? '';
    await app.lifecycle.check();
    if (app.lifecycle.candidate?.version !== candidate)
      throw new Error(`[tessera] [sim] candidate ${candidate} did not start its rollout`);
    let outcome: RolloutOutcome | undefined;
    let rollout: Record<string, unknown> = {};
    let done = 0;
    while (!outcome && done < maxVisitors) {
      const next = Math.min(maxVisitors, done + lookEvery);
      await run(warmup + done, warmup + next);
      done = next;
      rollout = app.lifecycle.state();
      outcome = await app.lifecycle.evaluate();
      o.onProgress?.(done);
    }
    return {
      scenario: o.candidate,
      seed: o.seed,
      share,
      warmup,
      production,
      candidate,
      outcome: outcome ?? null,
      visitors_to_verdict: outcome ? done : null,
      rollout: (rollout.rollout as Record<string, unknown>) ?? {},
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    await server.close();
  }
}
