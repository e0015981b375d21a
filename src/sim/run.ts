/**
 * A simulation: shoppers with latent tastes visit a Tessera server over
 * HTTP; the server's own experiment ledger and sequential test say which
 * arm converts better; the result carries the statistics, the minimum
 * detectable lift at its sample size, and (apart) the latencies.
 *
 * Reproducible: with a server of its own, a seed fixes everything the
 * result holds except `timing`. The shoppers' choices come from per-visitor
 * streams of the seed, the server mints visitor ids (which decide the arms)
 * from the seed, both sides share a virtual clock, and requests follow a
 * fixed schedule (schedule.ts). Against `--url` the server's ids and clock
 * are its own, so only the shoppers are reproducible.
 * @module
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CatalogItem } from '../core/config.js';
import { packageRoot } from '../runtimes/node/app.js';
import { summarize } from '../stats/monitor.js';
import { DEFAULT_POWER, minimumDetectableLift } from '../stats/power.js';
import { seededRandom } from '../stats/random.js';
import type { ArmReport, Comparison } from '../stats/report.js';
import { ShopperClient, type Timings } from './client.js';
import { virtualClock, wallClock } from './clock.js';
import { runSchedule } from './schedule.js';
import { startSimServer } from './server.js';
import { DEFAULT_MODEL, type ShopperModel, visit } from './shopper.js';
import { makeWorld } from './taste.js';

export interface SimOptions {
  visitors: number;
  seed: number;
  /** Visitors in the shop at once, their requests interleaved in a fixed order (default 4). */
  concurrency?: number;
  /** Drive a running server instead of starting one (its experiment must be running). */
  url?: string;
  /** The admin token of that server, to read the experiment's statistics. */
  adminToken?: string;
  /** False: both arms get the popular recommender (an A/A check). */
  personalization?: boolean;
  experiment?: string;
  /** Retrain the in-process server's model after this many visitors (default 1000). */
  retrainEvery?: number;
  model?: ShopperModel;
  onProgress?: (done: number, total: number) => void;
}

export interface SimResult {
  seed: number;
  visitors: number;
  personalization: boolean;
  experiment: string;
  arms: ArmReport[];
  control: string;
  treatment: string;
  lift: number;
  lift_ci: [number, number];
  diff_ci: [number, number];
  confidence: number;
  p_sequential: number;
  p_fixed: number;
  significant: boolean;
  verdict: string;
  prob_beat_control: number;
  srm_pass: boolean;
  srm_p: number;
  /**
   * Minimum detectable lift (relative) at this run's visitors per arm and
   * control conversion, α = 1 − confidence two-sided, power `mde_power`;
   * null when control has no conversions to be relative to.
   */
  mde: number | null;
  mde_power: number;
  purchases: number;
  rec_clicks: number;
  /** Wall-clock measurements: the one part of a seeded result that varies from run to run. */
  timing: SimTiming;
}

export interface SimTiming {
  latency_p50_ms: number;
  latency_p95_ms: number;
  latency_p99_ms: number;
  server_p99_ms: number;
  seconds: number;
}

interface ExperimentJson {
  confidence: number;
  arms: ArmReport[];
  comparisons: Comparison[];
  srm: { pass: boolean; p: number };
}

async function readExperiment(url: string, token: string, key: string): Promise<ExperimentJson> {
  const res = await fetch(`${url}/admin/api/experiments/${encodeURIComponent(key)}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!res.ok)
    throw new Error(`[tessera] [sim] reading experiment "${key}": ${res.status} ${await res.text()}`);
  return (await res.json()) as ExperimentJson;
}

export async function simulate(o: SimOptions): Promise<SimResult> {
  const t0 = performance.now();
  const experiment = o.experiment ?? 'recs-strategy';
  const personalization = o.personalization ?? true;
  const clock = o.url ? wallClock : virtualClock();
  const server = o.url
    ? undefined
    : await startSimServer({ experiment, personalization, seed: o.seed, now: clock.now });
  const url = o.url ?? server!.url;
  const token = o.adminToken ?? server?.token;
  if (!token) throw new Error('[tessera] [sim] --url needs --admin-token to read the experiment');
  try {
    const catalog: CatalogItem[] =
      server?.catalog ??
      (JSON.parse(readFileSync(join(packageRoot, 'examples/shop/catalog.json'), 'utf8')) as CatalogItem[]);
    const world = makeWorld(catalog);
    const timings: Timings = { page: [], server: [] };
    const totals = { purchases: 0, recClicks: 0 };
    const chunk = server ? (o.retrainEvery ?? 1000) : o.visitors;
    let done = 0;
    for (let start = 0; start < o.visitors; start += chunk) {
      const end = Math.min(o.visitors, start + chunk);
      await runSchedule({
        lanes: o.concurrency ?? 4,
        from: start,
        to: end,
        clock,
        ...(server ? { settle: () => server.app.engine.idle() } : {}),
        shopper: async (i, turn) => {
          // One stream per visitor: the same visitor behaves the same whatever the schedule.
          const rnd = seededRandom((o.seed * 1_000_003 + i) >>> 0);
          const client = new ShopperClient(url, timings, turn);
          const r = await visit(client, world, rnd, o.model ?? DEFAULT_MODEL);
          totals.purchases += r.purchases;
          totals.recClicks += r.recClicks;
          o.onProgress?.(++done, o.visitors);
        },
      });
      // What the server's periodic retraining would do: popularity and neighbours from the log so far.
      if (server && end < o.visitors) await server.app.train();
    }
    const exp = await readExperiment(url, token, experiment);
    const c = exp.comparisons[0];
    if (!c) throw new Error(`[tessera] [sim] experiment "${experiment}" has fewer than two arms`);
    const page = summarize(timings.page);
    const srv = summarize(timings.server);
    const control = exp.arms.find((a) => a.arm === c.control);
    const treatment = exp.arms.find((a) => a.arm === c.arm);
    const mde = minimumDetectableLift({
      baseline: control?.conversion ?? 0,
      nControl: control?.visitors ?? 0,
      nTreatment: treatment?.visitors ?? 0,
      alpha: 1 - exp.confidence,
      power: DEFAULT_POWER,
    });
    return {
      seed: o.seed,
      visitors: o.visitors,
      personalization,
      experiment,
      arms: exp.arms,
      control: c.control,
      treatment: c.arm,
      lift: c.lift,
      lift_ci: [c.liftCi.lo, c.liftCi.hi],
      diff_ci: [c.diffCi.lo, c.diffCi.hi],
      confidence: exp.confidence,
      p_sequential: c.pSequential,
      p_fixed: c.pFixed,
      significant: c.significant,
      verdict: c.significant
        ? c.diff > 0
          ? `${c.arm} wins`
          : `${c.control} wins`
        : 'no significant difference',
      prob_beat_control: c.probBeatControl,
      srm_pass: exp.srm.pass,
      srm_p: exp.srm.p,
      mde: mde ?? null,
      mde_power: DEFAULT_POWER,
      purchases: totals.purchases,
      rec_clicks: totals.recClicks,
      timing: {
        latency_p50_ms: page.p50,
        latency_p95_ms: page.p95,
        latency_p99_ms: page.p99,
        server_p99_ms: srv.p99,
        seconds: (performance.now() - t0) / 1000,
      },
    };
  } finally {
    await server?.close();
  }
}
