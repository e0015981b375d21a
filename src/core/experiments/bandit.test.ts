import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../stats/random.js';
import { BanditCounters, type BanditState, banditLeader, mergeBandits, thompsonPick } from './bandit.js';

const stateArb: fc.Arbitrary<BanditState> = fc.dictionary(
  fc.constantFrom('k1', 'k2'),
  fc.dictionary(
    fc.constantFrom('*', 'runners'),
    fc.dictionary(
      fc.constantFrom('a', 'b'),
      fc.record({
        trials: fc.dictionary(fc.constantFrom('n1', 'n2', 'n3'), fc.nat(100)),
        wins: fc.dictionary(fc.constantFrom('n1', 'n2', 'n3'), fc.nat(100)),
      }),
    ),
  ),
);

describe('bandit counters (G-counters per node)', () => {
  it('merge is commutative, associative and idempotent', () => {
    fc.assert(
      fc.property(stateArb, stateArb, stateArb, (a, b, c) => {
        expect(mergeBandits(a, b)).toEqual(mergeBandits(b, a));
        expect(mergeBandits(mergeBandits(a, b), c)).toEqual(mergeBandits(a, mergeBandits(b, c)));
        expect(mergeBandits(a, a)).toEqual(a);
      }),
    );
  });

  it('sums every node’s components once, however often states are exchanged', () => {
    const one = new BanditCounters('n1');
    const two = new BanditCounters('n2');
    for (let i = 0; i < 5; i++) one.trial('k', '*', 'a');
    one.win('k', '*', 'a');
    for (let i = 0; i < 3; i++) two.trial('k', '*', 'a');
    two.merge(one.snapshot());
    two.merge(one.snapshot());
    one.merge(two.snapshot());
    expect(one.tally('k', '*', ['a'])).toEqual([{ arm: 'a', trials: 8, wins: 1 }]);
    expect(two.tally('k', '*', ['a'])).toEqual(one.tally('k', '*', ['a']));
  });
});

describe('Thompson sampling', () => {
  it('shifts traffic to the arm that converts, and keeps the exploration floor for the others', () => {
    const rnd = seededRandom(11);
    const truth: Record<string, number> = { a: 0.05, b: 0.15, c: 0.05 };
    const c = new BanditCounters('n1');
    const shown: Record<string, number> = { a: 0, b: 0, c: 0 };
    const late: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 6000; i++) {
      const arm = thompsonPick(c.tally('k', '*', ['a', 'b', 'c']), rnd, 0.1);
      shown[arm]!++;
      if (i >= 3000) late[arm]!++;
      c.trial('k', '*', arm);
      if (rnd.next() < truth[arm]!) c.win('k', '*', arm);
    }
    expect(late.b! / 3000).toBeGreaterThan(0.75);
    // The floor: 10% spread over three arms gives each loser at least ~3.3%.
    expect(late.a! / 3000).toBeGreaterThan(0.025);
    expect(late.c! / 3000).toBeGreaterThan(0.025);
    expect(banditLeader(c.tally('k', '*', ['a', 'b', 'c']))).toBe('b');
  });

  it('keeps segments apart', () => {
    const c = new BanditCounters('n1');
    c.trial('k', 'runners', 'a');
    c.win('k', 'runners', 'a');
    expect(c.tally('k', 'hikers', ['a'])).toEqual([{ arm: 'a', trials: 0, wins: 0 }]);
    expect(c.segments('k')).toEqual(['runners']);
  });
});
