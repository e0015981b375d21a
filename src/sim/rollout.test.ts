import { describe, expect, it } from 'vitest';
import { simulateRollout } from './rollout.js';

// Shoppers over HTTP against the demo shop (needs `npm run build`): a few minutes on a busy machine.
// The verdicts under test are the click-rate ones: the latency guardrail (wall-clock time, tested in
// src/models/rollout) gets a wide slack, so a loaded machine cannot decide them instead.
const LATENCY_SLACK_MS = 1000;
describe('simulated rollout', () => {
  it('rolls back a candidate with random lists', { timeout: 600_000 }, async () => {
    const r = await simulateRollout({
      candidate: 'bad',
      seed: 1,
      warmup: 400,
      maxVisitors: 4000,
      latencySlackMs: LATENCY_SLACK_MS,
    });
    expect(r.outcome).toMatchObject({ action: 'rollback', candidate: r.candidate });
    expect(r.outcome!.reason).toMatch(/click rate lower|conversion lower/);
    expect(r.visitors_to_verdict).toBeLessThan(4000);
    expect(r.candidate).not.toBe(r.production);
  });

  it('promotes a better candidate', { timeout: 600_000 }, async () => {
    const r = await simulateRollout({
      candidate: 'good',
      seed: 1,
      warmup: 400,
      maxVisitors: 6000,
      latencySlackMs: LATENCY_SLACK_MS,
    });
    expect(r.outcome).toMatchObject({ action: 'promote', candidate: r.candidate });
    expect(r.outcome!.reason).toMatch(/click rate higher/);
  });
});
