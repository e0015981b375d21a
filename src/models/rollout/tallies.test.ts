import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../stats/random.js';
import { DEFAULT_ROLLOUT } from '../lifecycle-config.js';
import { operationalBreak } from './guardrails.js';

const uniform = (seed: number) => {
  const r = seededRandom(seed);
  return () => r.next();
};

import {
  type ArmTally,
  emptyArm,
  mergeReports,
  parseReport,
  type RolloutReport,
  RolloutTallies,
} from './tallies.js';

function arm(rnd: () => number): ArmTally {
  const a = emptyArm();
  for (const k of ['visitors', 'clickers', 'buyers', 'decisions', 'errors', 'impressions', 'clicks'] as const)
    a[k] = Math.floor(rnd() * 100);
  a.p99 = Math.round(rnd() * 1000) / 100;
  a.latencySamples = Math.floor(rnd() * 300);
  return a;
}

function report(rnd: () => number, o: Partial<RolloutReport> = {}): RolloutReport {
  return {
    replica: 'node-a~1',
    candidate: 'c1',
    phase: 'canary',
    seq: 1 + Math.floor(rnd() * 5),
    production: arm(rnd),
    candidate_arm: arm(rnd),
    shadow: { decisions: Math.floor(rnd() * 50), overlapSum: rnd() * 10, overlapN: Math.floor(rnd() * 20) },
    ...o,
  };
}

describe('rollout tallies: the merge', () => {
  it('is commutative, associative and idempotent (a G-counter per replica)', () => {
    const rnd = uniform(7);
    for (let i = 0; i < 200; i++) {
      const [a, b, c] = [report(rnd), report(rnd), report(rnd)];
      expect(mergeReports(a, b)).toEqual(mergeReports(b, a));
      expect(mergeReports(mergeReports(a, b), c)).toEqual(mergeReports(a, mergeReports(b, c)));
      expect(mergeReports(a, a)).toEqual(a);
      const ab = mergeReports(a, b);
      expect(mergeReports(ab, b)).toEqual(ab);
    }
  });

  it('keeps each counter at its largest and the latency of the newest report', () => {
    const rnd = uniform(3);
    const old = report(rnd, { seq: 4 });
    const newer = report(rnd, { seq: 9 });
    const m = mergeReports(old, newer);
    expect(m.seq).toBe(9);
    expect(m.production.visitors).toBe(Math.max(old.production.visitors, newer.production.visitors));
    expect(m.candidate_arm.clickers).toBe(Math.max(old.candidate_arm.clickers, newer.candidate_arm.clickers));
    expect(m.candidate_arm.p99).toBe(newer.candidate_arm.p99);
    expect(mergeReports(newer, old).candidate_arm.p99).toBe(newer.candidate_arm.p99);
  });

  it('sums replicas in any order of arrival, counts a re-delivered report once, keeps phases and candidates apart', () => {
    const rnd = uniform(11);
    const reports = [
      report(rnd, { replica: 'a~1', seq: 1 }),
      report(rnd, { replica: 'a~1', seq: 2 }),
      report(rnd, { replica: 'b~1', seq: 1 }),
      report(rnd, { replica: 'a~2', seq: 1 }), // node a restarted: a new replica, adding to the counts
      report(rnd, { replica: 'b~1', phase: 'shadow' }),
      report(rnd, { replica: 'c~1', candidate: 'other' }),
    ];
    const forward = new RolloutTallies('c1');
    for (const r of reports) forward.merge(r);
    const backward = new RolloutTallies('c1');
    for (const r of [...reports].reverse()) {
      backward.merge(r);
      backward.merge(r); // at-least-once delivery
    }
    const canary = forward.combined('canary');
    expect(backward.combined('canary')).toEqual(canary);
    expect(canary.replicas).toBe(3);
    const a1 = mergeReports(reports[0]!, reports[1]!);
    expect(canary.production.visitors).toBe(
      a1.production.visitors + reports[2]!.production.visitors + reports[3]!.production.visitors,
    );
    expect(canary.latency.map((l) => l.replica).sort()).toEqual(['a~1', 'a~2', 'b~1']);
    expect(forward.combined('shadow').replicas).toBe(1);
    expect(forward.combined('shadow').shadow.decisions).toBe(reports[4]!.shadow.decisions);
  });

  it('takes a well-formed report from the bus and refuses anything else', () => {
    const r = report(uniform(1));
    expect(parseReport(JSON.parse(JSON.stringify(r)))).toEqual(r);
    expect(parseReport({ ...r, phase: 'live' })).toBeUndefined();
    expect(parseReport({ ...r, production: { ...r.production, visitors: -1 } })).toBeUndefined();
    expect(parseReport({ ...r, candidate_arm: undefined })).toBeUndefined();
    expect(parseReport('x')).toBeUndefined();
  });
});

describe('rollout tallies: the latency guardrail per node', () => {
  it("breaks when one node's candidate is slow against that node's production, not against another node's", () => {
    const c = { ...DEFAULT_ROLLOUT, minLatencySamples: 100 };
    const t = new RolloutTallies('c1');
    const at = (replica: string, prodP99: number, candP99: number): RolloutReport => ({
      replica,
      candidate: 'c1',
      phase: 'canary',
      seq: 1,
      production: { ...emptyArm(), p99: prodP99, latencySamples: 500 },
      candidate_arm: { ...emptyArm(), p99: candP99, latencySamples: 500 },
      shadow: { decisions: 0, overlapSum: 0, overlapN: 0 },
    });
    // A slow machine and a fast one: each candidate within its own node's limit.
    t.merge(at('slow~1', 8, 9));
    t.merge(at('fast~1', 0.5, 2));
    expect(operationalBreak(t.combined('canary'), c)).toBeUndefined();
    t.merge({ ...at('fast~1', 0.5, 4), seq: 2 });
    expect(operationalBreak(t.combined('canary'), c)).toBe(
      'latency: decision p99 4.00 ms over the limit 2.50 ms (production 0.50 ms) on fast~1',
    );
  });
});
