/**
 * `tessera simulate`: synthetic shoppers against a Tessera server (one it
 * starts on 127.0.0.1, or `--url`), running the demo shop's
 * personalized-vs-popular experiment. Prints conversion per arm, the lift
 * with its interval, the sequential verdict, the minimum detectable lift,
 * SRM and page latency; `--json` prints one JSON object on stdout, the same
 * for the same seed but for its `timing`. `--seeds N` repeats over N seeds and
 * prints how often a winner was declared (the false-positive rate with
 * `--no-personalization`).
 */
import type { Command } from 'commander';
import type { SimResult } from '../../sim/run.js';
import { simulate } from '../../sim/run.js';
import { type SeedsResult, simulateSeeds } from '../../sim/seeds.js';
import { positiveInt } from '../options.js';
import { runRollout } from './simulate-rollout.js';

interface SimulateFlags {
  visitors: number;
  seed: number;
  seeds?: number;
  concurrency: number;
  url?: string;
  adminToken?: string;
  personalization: boolean;
  experiment: string;
  json?: boolean;
  rollout?: string;
  canaryShare?: string;
  warmup?: number;
}

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
/** 0.8 → 80%, 0.01 → 1%, 0.001 → 0.1%. */
const level = (x: number): string => `${Number((x * 100).toPrecision(3))}%`;

/** Not significant, and the observed lift is smaller than this many visitors could detect. */
function tooFew(r: SimResult): boolean {
  return !r.significant && r.mde !== null && Math.abs(r.lift) < r.mde;
}

export function formatResult(r: SimResult): string {
  const lines = [
    `experiment ${r.experiment}: ${r.visitors} visitors, seed ${r.seed}, personalization ${r.personalization ? 'on' : 'off in both arms'}`,
    '',
    'arm            visitors  converted  conversion  rec CTR   revenue/visitor',
  ];
  for (const a of r.arms)
    lines.push(
      `${a.arm.padEnd(14)} ${String(a.visitors).padStart(8)}  ${String(a.converted).padStart(9)}  ${pct(a.conversion).padStart(10)}  ${pct(a.ctr).padStart(8)}  ${a.revenuePerVisitor.toFixed(2).padStart(15)}`,
    );
  const conf = `${Math.round(r.confidence * 100)}%`;
  const t = r.timing;
  lines.push(
    '',
    `lift of ${r.treatment} over ${r.control}: ${pct(r.lift)} (${conf} CI ${pct(r.lift_ci[0])} to ${pct(r.lift_ci[1])})`,
    `sequential test (mSPRT, always valid): p = ${r.p_sequential.toPrecision(3)} → ${r.verdict} at ${conf}`,
    `P(${r.treatment} beats ${r.control}) = ${pct(r.prob_beat_control)}`,
    `minimum detectable lift at these visitors: ${r.mde === null ? 'n/a (no conversions in control)' : pct(r.mde)} (${level(r.mde_power)} power, α = ${level(1 - r.confidence)} two-sided, fixed horizon; the sequential test needs more)${tooFew(r) ? ' → too few visitors to tell this lift from none' : ''}`,
    `SRM: ${r.srm_pass ? 'pass' : 'FAIL'} (p = ${r.srm_p.toPrecision(3)})`,
    `page latency (client round trip): p50 ${t.latency_p50_ms.toFixed(1)} ms, p95 ${t.latency_p95_ms.toFixed(1)} ms, p99 ${t.latency_p99_ms.toFixed(1)} ms; server decision p99 ${t.server_p99_ms.toFixed(1)} ms`,
    `${t.seconds.toFixed(1)} s`,
  );
  return lines.join('\n');
}

function formatSeeds(r: SeedsResult): string {
  return [
    `${r.seeds} seeds × ${r.visitors} visitors, personalization ${r.personalization ? 'on' : 'off in both arms'}`,
    `winner declared in ${r.significant} of ${r.seeds} runs: ${r.personalization ? 'power' : 'false-positive rate'} ${pct(r.rate)} (95% CI ${pct(r.rate_ci[0])} to ${pct(r.rate_ci[1])}), nominal level ${pct(r.nominal)}${r.personalization ? '' : r.within_nominal ? ' — within' : ' — EXCEEDED'}`,
    `SRM failures: ${r.srm_failures}`,
  ].join('\n');
}

async function run(f: SimulateFlags): Promise<void> {
  if (f.rollout !== undefined) {
    return runRollout({
      rollout: f.rollout,
      seed: f.seed,
      concurrency: f.concurrency,
      ...(f.canaryShare !== undefined ? { canaryShare: f.canaryShare } : {}),
      ...(f.warmup !== undefined ? { warmup: f.warmup } : {}),
      // --visitors is the rollout's limit here only when given explicitly (its default is 5000).
      maxVisitors: f.visitors,
      ...(f.json ? { json: true } : {}),
    });
  }
  const base = {
    visitors: f.visitors,
    concurrency: f.concurrency,
    personalization: f.personalization,
    experiment: f.experiment,
    ...(f.url ? { url: f.url } : {}),
    ...(f.adminToken ? { adminToken: f.adminToken } : {}),
  };
  const log = (s: string): void => void (f.json ? process.stderr : process.stdout).write(`${s}\n`);
  if (f.seeds !== undefined) {
    const r = await simulateSeeds({
      ...base,
      seeds: f.seeds,
      firstSeed: f.seed,
      onSeed: (s) =>
        log(`seed ${s.seed}: lift ${pct(s.lift)}, p ${s.p_sequential.toPrecision(3)}, ${s.verdict}`),
    });
    if (f.json) console.log(JSON.stringify(r, null, 2));
    else log(formatSeeds(r));
    return;
  }
  let shown = 0;
  const r = await simulate({
    ...base,
    seed: f.seed,
    onProgress: (done, total) => {
      if (done - shown >= total / 10 || done === total) {
        shown = done;
        process.stderr.write(`[tessera] [sim] ${done}/${total} visitors\n`);
      }
    },
  });
  if (f.json) {
    process.stderr.write(`${formatResult(r)}\n`);
    console.log(JSON.stringify(r, null, 2));
  } else log(formatResult(r));
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('drive a Tessera server with synthetic shoppers and measure an experiment')
    .option('--visitors <n>', 'visitors per run', positiveInt, 5000)
    .option('--seed <n>', 'random seed (first seed with --seeds)', positiveInt, 1)
    .option(
      '--seeds <n>',
      'repeat over this many seeds and print how often a winner was declared',
      positiveInt,
    )
    .option(
      '--concurrency <n>',
      'visitors in the shop at once (requests interleaved in a fixed order)',
      positiveInt,
      4,
    )
    .option('--url <url>', 'drive a running server instead of starting one on 127.0.0.1')
    .option('--admin-token <token>', 'admin token of that server', process.env.TESSERA_ADMIN_TOKEN)
    .option('--experiment <key>', 'experiment to run', 'recs-strategy')
    .option('--no-personalization', 'popular recommender in both arms (an A/A check)')
    .option('--json', 'print one JSON object on stdout')
    .option(
      '--rollout <candidate>',
      'instead: roll a candidate model out as a canary ("bad": random lists, "good": trained) and print after how many visitors it was rolled back or promoted (--visitors caps the rollout)',
    )
    .option('--canary-share <share>', 'with --rollout: share of visitors the candidate serves (default 0.5)')
    .option(
      '--warmup <n>',
      'with --rollout: visitors before the candidate exists (default 1000)',
      positiveInt,
    )
    .action((f: SimulateFlags) => run(f));
}
