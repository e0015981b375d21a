import { describe, expect, it } from 'vitest';
import { DecisionMonitor, percentile, summarize } from './monitor.js';

describe('decision monitor', () => {
  it('uses the nearest-rank percentile: p99 of 1..100 is 99, p50 is 50', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 0.99)).toBe(99);
    expect(percentile(sorted, 0.5)).toBe(50);
    expect(summarize([])).toEqual({ count: 0, p50: 0, p95: 0, p99: 0, max: 0 });
  });

  it('keeps a sliding window of latencies and each visitor in their latest segments', () => {
    const m = new DecisionMonitor(3);
    m.decision(100, 'v1', ['runners']);
    m.decision(1, 'v1', ['hikers']);
    m.decision(2, 'v2', ['hikers', 'mobile']);
    m.decision(3, undefined, []);
    expect(m.latency()).toMatchObject({ count: 3, max: 3 });
    expect(m.segmentSizes()).toEqual({ hikers: 2, mobile: 1 });
    expect(m.visitors).toBe(2);
  });

  it('moves nothing when a visitor comes back in the same segments, and follows a change after', () => {
    const m = new DecisionMonitor(4);
    m.decision(1, 'v1', ['runners', 'mobile']);
    m.decision(1, 'v1', ['runners', 'mobile']);
    m.decision(1, 'v2', ['runners']);
    expect(m.segmentSizes()).toEqual({ runners: 2, mobile: 1 });
    m.decision(1, 'v1', ['mobile', 'runners']);
    m.decision(1, 'v1', ['mobile']);
    expect(m.segmentSizes()).toEqual({ runners: 1, mobile: 1 });
    m.decision(1, 'v2', []);
    expect(m.segmentSizes()).toEqual({ mobile: 1 });
    expect(m.visitors).toBe(2);
    expect(m.latency().count).toBe(4);
  });
});
