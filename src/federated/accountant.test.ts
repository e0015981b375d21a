import { describe, expect, it } from 'vitest';
import { epsilonOf, noiseMultiplierFor, rhoFor, roundRho, ZcdpAccountant } from './accountant.js';

describe('zCDP accountant', () => {
  it('matches the closed form for known z, R and δ', () => {
    // z = 2, R = 10: ρ = 10/(2·4) = 1.25; ε = 1.25 + 2·√(1.25·ln 1e5).
    const a = new ZcdpAccountant(2, 1e-5, Number.POSITIVE_INFINITY);
    for (let r = 0; r < 10; r++) a.spendRound();
    expect(a.totalEpsilon).toBeCloseTo(1.25 + 2 * Math.sqrt(1.25 * Math.log(1e5)), 12);
    expect(a.roundEpsilon).toBeCloseTo(0.125 + 2 * Math.sqrt(0.125 * Math.log(1e5)), 12);
    expect(roundRho(2)).toBe(0.125);
  });

  it('chooses the noise multiplier that spends exactly the target ε in R rounds', () => {
    for (const [eps, rounds] of [
      [8, 30],
      [1, 5],
      [0.5, 100],
    ] as const) {
      const z = noiseMultiplierFor(eps, 1e-5, rounds);
      expect(epsilonOf(rounds * roundRho(z), 1e-5)).toBeCloseTo(eps, 9);
    }
    expect(rhoFor(epsilonOf(0.3, 1e-6), 1e-6)).toBeCloseTo(0.3, 12);
  });

  it('stops training at the budget', () => {
    const z = noiseMultiplierFor(4, 1e-5, 7);
    const a = new ZcdpAccountant(z, 1e-5, 4);
    let rounds = 0;
    while (a.canSpend()) {
      a.spendRound();
      rounds++;
    }
    expect(rounds).toBe(7);
    expect(a.totalEpsilon).toBeLessThanOrEqual(4 * (1 + 1e-9));
    expect(() => a.spendRound()).toThrow(/budget/);
  });

  it('runs without noise only when the budget is infinite', () => {
    expect(noiseMultiplierFor(Number.POSITIVE_INFINITY, 1e-5, 10)).toBe(0);
    const a = new ZcdpAccountant(0, 1e-5, Number.POSITIVE_INFINITY);
    a.spendRound();
    expect(a.totalEpsilon).toBe(Number.POSITIVE_INFINITY);
    expect(new ZcdpAccountant(0, 1e-5, 8).canSpend()).toBe(false);
  });
});
