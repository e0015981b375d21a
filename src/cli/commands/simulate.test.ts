import { describe, expect, it } from 'vitest';
import type { SimResult } from '../../sim/run.js';
import { formatResult } from './simulate.js';

const arm = (name: string, visitors: number, converted: number) => ({
  arm: name,
  weight: 1,
  visitors,
  converted,
  clicked: 0,
  carted: converted,
  revenue: converted * 30,
  conversion: converted / visitors,
  conversionCi: { lo: 0, hi: 1 },
  ctr: 0,
  revenuePerVisitor: (converted * 30) / visitors,
});

const result: SimResult = {
  seed: 1,
  visitors: 2000,
  personalization: true,
  experiment: 'recs-strategy',
  arms: [arm('popular', 1000, 200), arm('personalized', 1000, 220)],
  control: 'popular',
  treatment: 'personalized',
  lift: 0.1,
  lift_ci: [-0.1, 0.3],
  diff_ci: [-0.02, 0.06],
  confidence: 0.99,
  p_sequential: 0.6,
  p_fixed: 0.27,
  significant: false,
  verdict: 'no significant difference',
  prob_beat_control: 0.86,
  srm_pass: true,
  srm_p: 1,
  mde: 0.2949,
  mde_power: 0.8,
  purchases: 420,
  rec_clicks: 0,
  timing: { latency_p50_ms: 2, latency_p95_ms: 5, latency_p99_ms: 9, server_p99_ms: 4, seconds: 12 },
};

describe('tessera simulate output', () => {
  it('prints the minimum detectable lift with the α and power it assumes', () => {
    const line = formatResult(result)
      .split('\n')
      .find((l) => l.startsWith('minimum detectable lift'));
    expect(line).toContain('29.49%');
    expect(line).toContain('80% power');
    expect(line).toContain('α = 1% two-sided');
  });

  it('says when a lift is below what the run could detect, and only then', () => {
    expect(formatResult(result)).toContain('too few visitors');
    expect(formatResult({ ...result, lift: 0.35 })).not.toContain('too few visitors');
    expect(formatResult({ ...result, significant: true, lift: 0.35 })).not.toContain('too few visitors');
  });
});
