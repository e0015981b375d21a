import { describe, expect, it } from 'vitest';
import { minimumDetectableLift } from './power.js';

describe('minimum detectable lift', () => {
  it('is 17.72% for a 20% baseline, 2,000 per arm, α = 0.05 two-sided, 80% power (by hand)', () => {
    // (z₀.₉₇₅ + z₀.₈) · √(0.2 · 0.8 · (1/2000 + 1/2000)) / 0.2
    //   = (1.959964 + 0.841621) · 0.0126491 / 0.2 = 0.0354376 / 0.2 = 0.177188
    const mde = minimumDetectableLift({ baseline: 0.2, nControl: 2000, nTreatment: 2000, alpha: 0.05 });
    expect(mde).toBeCloseTo(0.177188, 5);
  });

  it('uses both arm sizes and the given α and power: 10% baseline, 1,000 vs 3,000, α = 0.01 → 37.44%', () => {
    const mde = minimumDetectableLift({
      baseline: 0.1,
      nControl: 1000,
      nTreatment: 3000,
      alpha: 0.01,
      power: 0.8,
    });
    expect(mde).toBeCloseTo(0.374363, 5);
  });

  it('shrinks as 1/√n: four times the visitors halve it', () => {
    const at = (n: number) =>
      minimumDetectableLift({ baseline: 0.05, nControl: n, nTreatment: n, alpha: 0.01 })!;
    expect(at(4000) / at(1000)).toBeCloseTo(0.5, 10);
  });

  it('is undefined without a baseline to be relative to or without visitors', () => {
    expect(
      minimumDetectableLift({ baseline: 0, nControl: 100, nTreatment: 100, alpha: 0.05 }),
    ).toBeUndefined();
    expect(
      minimumDetectableLift({ baseline: 0.1, nControl: 0, nTreatment: 100, alpha: 0.05 }),
    ).toBeUndefined();
  });
});
