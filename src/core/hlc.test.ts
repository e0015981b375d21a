import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareHlc, HlcClock } from './hlc.js';
import type { Hlc } from './types.js';

const arbHlc = fc.record({
  p: fc.integer({ min: 0, max: 5 }),
  l: fc.integer({ min: 0, max: 3 }),
  n: fc.constantFrom('a', 'b', 'c'),
});

function manualClock(start: number) {
  let t = start;
  return { now: () => t, set: (v: number) => (t = v) };
}

describe('compareHlc', () => {
  it('orders by physical time, then counter, then node', () => {
    expect(compareHlc({ p: 1, l: 9, n: 'z' }, { p: 2, l: 0, n: 'a' })).toBeLessThan(0);
    expect(compareHlc({ p: 2, l: 1, n: 'a' }, { p: 2, l: 0, n: 'z' })).toBeGreaterThan(0);
    expect(compareHlc({ p: 2, l: 1, n: 'a' }, { p: 2, l: 1, n: 'b' })).toBeLessThan(0);
    expect(compareHlc({ p: 2, l: 1, n: 'a' }, { p: 2, l: 1, n: 'a' })).toBe(0);
  });

  it('is a total order: antisymmetric and transitive', () => {
    fc.assert(
      fc.property(arbHlc, arbHlc, arbHlc, (a: Hlc, b: Hlc, c: Hlc) => {
        expect(Math.sign(compareHlc(a, b)) + Math.sign(compareHlc(b, a))).toBe(0);
        if (compareHlc(a, b) <= 0 && compareHlc(b, c) <= 0) expect(compareHlc(a, c)).toBeLessThanOrEqual(0);
      }),
    );
  });
});

describe('HlcClock', () => {
  it('never goes backwards when the wall clock stalls or jumps back', () => {
    const wall = manualClock(1000);
    const clock = new HlcClock('n1', wall);
    const a = clock.now();
    const b = clock.now();
    wall.set(500);
    const c = clock.now();
    expect(compareHlc(a, b)).toBeLessThan(0);
    expect(compareHlc(b, c)).toBeLessThan(0);
    expect(c.p).toBe(1000);
  });

  it('moves past a remote timestamp it observed', () => {
    const wall = manualClock(1000);
    const clock = new HlcClock('n1', wall);
    const remote = { p: 1500, l: 7, n: 'n2' };
    clock.observe(remote);
    expect(compareHlc(clock.now(), remote)).toBeGreaterThan(0);
  });

  it('ignores a remote timestamp far in the future', () => {
    const wall = manualClock(1000);
    const clock = new HlcClock('n1', wall, 100);
    clock.observe({ p: 10_000, l: 0, n: 'n2' });
    expect(clock.now().p).toBe(1000);
  });
});
