import { describe, expect, it } from 'vitest';
import { DecisionMemo } from './decision-memo.js';
import { emptyProfile } from './profile/index.js';

describe('decision memo', () => {
  it('computes once per profile version and again for a new version or after the ttl', () => {
    const memo = new DecisionMemo(1000);
    const p1 = emptyProfile(0);
    let calls = 0;
    const compute = () => {
      calls++;
      return ['runners'];
    };
    memo.segments(p1, 0, compute);
    memo.segments(p1, 500, compute);
    expect(calls).toBe(1);
    memo.segments({ ...p1 }, 500, compute);
    expect(calls).toBe(2);
    memo.segments(p1, 1600, compute);
    expect(calls).toBe(3);
  });

  it('keys recommendation lists by everything besides the profile', () => {
    const memo = new DecisionMemo();
    const p = emptyProfile(0);
    const a = memo.recommendations(p, 'home', 0, () => [{ item: 'a', score: 1, reason: 'r' }]);
    const again = memo.recommendations(p, 'home', 1, () => []);
    const other = memo.recommendations(p, 'product:x', 1, () => []);
    expect(again).toBe(a);
    expect(other).toEqual([]);
  });
});
