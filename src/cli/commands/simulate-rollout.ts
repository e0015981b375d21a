/**
 * `tessera simulate --rollout bad|good`: the safe rollout shown end to end
 * (src/sim/rollout.ts). Prints how the candidate's canary ended and after
 * how many visitors; `--json` prints the result as one object.
 */
import type { RolloutScenario, RolloutSimResult } from '../../sim/rollout.js';
import { simulateRollout } from '../../sim/rollout.js';

export interface RolloutFlags {
  rollout: string;
  seed: number;
  concurrency: number;
  canaryShare?: string;
  warmup?: number;
  maxVisitors?: number;
  json?: boolean;
}

const pct = (x: unknown): string => `${((Number(x) || 0) * 100).toFixed(1)}%`;

export function formatRollout(r: RolloutSimResult): string {
  const what =
    r.scenario === 'bad'
      ? 'random lists, against a production trained on the warm-up'
      : `trained on the ${r.warmup} warm-up visitors, against a popular-only production`;
  const prod = r.rollout.production as Record<string, unknown> | undefined;
  const cand = r.rollout.candidate_stats as Record<string, unknown> | undefined;
  const lines = [
    `rollout: candidate ${r.candidate} (${what} ${r.production}), canary share ${r.share}, seed ${r.seed}`,
  ];
  if (prod && cand)
    lines.push(
      `  production: ${prod.visitors} visitors, rec click rate ${pct(prod.click_rate)}, conversion ${pct(prod.conversion)}, decision p99 ${Number(prod.latency_p99_ms).toFixed(2)} ms`,
      `  candidate:  ${cand.visitors} visitors, rec click rate ${pct(cand.click_rate)}, conversion ${pct(cand.conversion)}, decision p99 ${Number(cand.latency_p99_ms).toFixed(2)} ms`,
    );
  lines.push(
    r.outcome
      ? `→ ${r.outcome.action === 'promote' ? 'promoted' : r.outcome.action === 'rollback' ? 'rolled back' : 'retired'} after ${r.visitors_to_verdict} visitors (${r.outcome.visitors.production} on production, ${r.outcome.visitors.candidate} on the candidate): ${r.outcome.reason}`
      : '→ no verdict within the visitors allowed',
    `${r.seconds.toFixed(1)} s`,
  );
  return lines.join('\n');
}

export async function runRollout(f: RolloutFlags): Promise<void> {
  if (f.rollout !== 'bad' && f.rollout !== 'good')
    throw new Error(`[tessera] [sim] --rollout takes "bad" or "good", got "${f.rollout}"`);
  const share = f.canaryShare === undefined ? undefined : Number(f.canaryShare);
  if (share !== undefined && !(share > 0 && share < 1))
    throw new Error(`[tessera] [sim] --canary-share must be between 0 and 1, got "${f.canaryShare}"`);
  let shown = 0;
  const r = await simulateRollout({
    candidate: f.rollout as RolloutScenario,
    seed: f.seed,
    concurrency: f.concurrency,
    ...(share !== undefined ? { share } : {}),
    ...(f.warmup !== undefined ? { warmup: f.warmup } : {}),
    ...(f.maxVisitors !== undefined ? { maxVisitors: f.maxVisitors } : {}),
    onProgress: (done) => {
      if (done - shown >= 500) {
        shown = done;
        process.stderr.write(`[tessera] [sim] rollout: ${done} visitors\n`);
      }
    },
  });
  if (f.json) console.log(JSON.stringify(r, null, 2));
  else console.log(formatRollout(r));
}
