import { describe, expect, it } from 'vitest';
import { posterior, probBeatsExact, probBestMonteCarlo } from './bayes.js';
import { msprtLambda, SequentialTest } from './msprt.js';
import { newcombeDiff, relativeLift, twoProportionZ, wilson, zFor } from './proportions.js';
import { seededRandom } from './random.js';
import { experimentReport } from './report.js';
import { chiSquareSf, normalCdf, normalQuantile } from './special.js';
import { srmCheck } from './srm.js';

describe('special functions', () => {
  it('matches normal tables: Φ(1.5) = 0.933193, Φ⁻¹(0.995) = 2.575829', () => {
    expect(normalCdf(1.5)).toBeCloseTo(0.9331928, 6);
    expect(normalQuantile(0.995)).toBeCloseTo(2.5758293, 6);
    expect(zFor(0.95)).toBeCloseTo(1.959964, 5);
  });

  it('matches chi-square tables: P(χ²₁ > 3.8415) = 0.05, P(χ²₃ > 10) = 0.018566', () => {
    expect(chiSquareSf(3.841458820694124, 1)).toBeCloseTo(0.05, 8);
    expect(chiSquareSf(10, 3)).toBeCloseTo(0.01856614, 7);
    expect(chiSquareSf(50, 2)).toBeCloseTo(Math.exp(-25), 15);
  });
});

describe('proportion intervals', () => {
  // Newcombe (1998), "Two-sided confidence intervals for the single proportion", Stat Med 17:857, example 81/263.
  it('gives the Wilson interval 0.2553–0.3662 for 81/263 (Newcombe 1998a)', () => {
    const ci = wilson(81, 263, 0.95);
    expect(ci.lo).toBeCloseTo(0.2553, 4);
    expect(ci.hi).toBeCloseTo(0.3662, 4);
  });

  // Newcombe (1998), "Interval estimation for the difference between independent proportions", Stat Med 17:873, Table II (a), method 10.
  it('gives Newcombe’s hybrid score interval 0.0524–0.3339 for 56/70 − 48/80', () => {
    const ci = newcombeDiff(56, 70, 48, 80, 0.95);
    expect(ci.lo).toBeCloseTo(0.0524, 4);
    expect(ci.hi).toBeCloseTo(0.3339, 4);
  });

  it('puts the relative lift inside its Katz interval and excludes 0 only for a clear difference', () => {
    const clear = relativeLift(150, 1000, 100, 1000, 0.99);
    expect(clear.lift).toBeCloseTo(0.5, 10);
    expect(clear.ci.lo).toBeGreaterThan(0);
    expect(clear.ci.hi).toBeGreaterThan(clear.lift);
    const none = relativeLift(101, 1000, 100, 1000, 0.99);
    expect(none.ci.lo).toBeLessThan(0);
    expect(none.ci.hi).toBeGreaterThan(0);
  });

  it('computes the pooled z-test: 150/1000 vs 100/1000 gives z = 3.3806', () => {
    // Pooled p = 0.125, se = √(0.125·0.875·0.002) = 0.014790; z = 0.05 / 0.014790.
    const r = twoProportionZ(150, 1000, 100, 1000);
    expect(r.z).toBeCloseTo(3.38062, 4);
    expect(r.p).toBeCloseTo(0.000723, 5);
  });
});

describe('sample-ratio mismatch', () => {
  // Kohavi, Tang and Xu, "Trustworthy Online Controlled Experiments" (2020), ch. 21: 821,588 vs 815,482 → p ≈ 1.8e-6.
  it('flags Kohavi’s textbook split 821,588 / 815,482 (p = 1.8e-6)', () => {
    const r = srmCheck([821_588, 815_482], [1, 1]);
    expect(r.chiSquare).toBeCloseTo(22.7744, 3);
    expect(r.p).toBeCloseTo(1.82e-6, 7);
    expect(r.pass).toBe(false);
  });

  it('passes a split within chance and honours unequal weights', () => {
    expect(srmCheck([5030, 4970], [1, 1]).pass).toBe(true);
    expect(srmCheck([2500, 7500], [1, 3]).pass).toBe(true);
    expect(srmCheck([5000, 5000], [1, 3]).pass).toBe(false);
  });
});

describe('Bayesian probability to beat control', () => {
  it('matches numerical integration of the Beta posteriors (scipy quad: 0.9751730, 0.8356113)', () => {
    // ∫ f_B(x) F_A(x) dx computed with scipy.integrate.quad for these posteriors.
    expect(probBeatsExact(posterior(10, 100), posterior(20, 100))).toBeCloseTo(0.975173, 6);
    expect(probBeatsExact(posterior(50, 1000), posterior(60, 1000))).toBeCloseTo(0.8356113, 6);
  });

  it('is ½ for identical posteriors and agrees with seeded Monte Carlo', () => {
    const a = posterior(30, 300);
    expect(probBeatsExact(a, a)).toBeCloseTo(0.5, 8);
    const mc = probBestMonteCarlo([posterior(10, 100), posterior(20, 100)], 40_000, 7);
    expect(mc[1]!).toBeCloseTo(0.975, 2);
    expect(probBestMonteCarlo([a, a], 1000, 3)).toEqual(probBestMonteCarlo([a, a], 1000, 3));
  });
});

describe('mSPRT (Johari et al. 2017)', () => {
  it('computes Λ from the closed form: 100/1000 vs 120/1000 with τ = 0.02 gives 1.13877', () => {
    // V = 0.12·0.88/1000 + 0.1·0.9/1000; Λ = √(V/(V+τ²))·exp(θ²τ²/(2V(V+τ²))).
    expect(msprtLambda({ n: 1000, x: 100 }, { n: 1000, x: 120 })).toBeCloseTo(1.1387718, 6);
  });

  it('keeps the running minimum p-value and concludes on a large effect', () => {
    const t = new SequentialTest(0.01);
    t.look({ n: 1000, x: 100 }, { n: 1000, x: 200 });
    const p = t.p;
    expect(t.concluded).toBe(true);
    t.look({ n: 1001, x: 100 }, { n: 1001, x: 100 });
    expect(t.p).toBe(p);
  });

  it('holds its false-positive rate under continuous peeking (A/A, 400 seeded runs)', () => {
    const rnd = seededRandom(2024);
    const alpha = 0.05;
    let rejections = 0;
    const runs = 400;
    for (let r = 0; r < runs; r++) {
      const test = new SequentialTest(alpha);
      const a = { n: 0, x: 0 };
      const b = { n: 0, x: 0 };
      for (let i = 0; i < 2000; i++) {
        a.n++;
        b.n++;
        if (rnd.next() < 0.1) a.x++;
        if (rnd.next() < 0.1) b.x++;
        if (i >= 50 && i % 10 === 0) test.look(a, b);
      }
      if (test.concluded) rejections++;
    }
    // A fixed-horizon z-test peeked at this often rejects ~25–30%; mSPRT stays under α.
    expect(rejections / runs).toBeLessThanOrEqual(alpha);
  });
});

describe('experiment report', () => {
  it('reports rates, lift, intervals, verdict and SRM for control and one arm', () => {
    const r = experimentReport(
      [
        {
          arm: 'popular',
          weight: 1,
          visitors: 2500,
          converted: 250,
          clicked: 400,
          carted: 300,
          revenue: 5000,
        },
        {
          arm: 'personalized',
          weight: 1,
          visitors: 2480,
          converted: 350,
          clicked: 700,
          carted: 420,
          revenue: 7100,
        },
      ],
      { confidence: 0.99 },
    );
    expect(r.arms[0]!.conversion).toBeCloseTo(0.1, 10);
    expect(r.arms[1]!.revenuePerVisitor).toBeCloseTo(7100 / 2480, 10);
    const c = r.comparisons[0]!;
    expect(c.lift).toBeCloseTo(350 / 2480 / 0.1 - 1, 10);
    expect(c.liftCi.lo).toBeGreaterThan(0);
    expect(c.significant).toBe(true);
    expect(c.probBeatControl).toBeGreaterThan(0.99);
    expect(r.srm.pass).toBe(true);
  });
});
