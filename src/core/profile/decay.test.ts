import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyEvent } from './apply.js';
import { decayedValue, forwardWeight, gridLandmark, LANDMARK_SPAN_HALF_LIVES } from './decay.js';
import { emptyProfile } from './empty.js';
import { affinity, eventCount } from './read.js';
import { DAY, event, opts, T0 } from './test-helpers.js';

describe('forward decay', () => {
  it('halves a value after one half-life', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1000, max: 30 * DAY }),
        fc.double({ min: 0, max: 200, noNaN: true }),
        (halfLife, halfLivesLater) => {
          const dt = Math.round(halfLivesLater * halfLife);
          const p = applyEvent(
            emptyProfile(T0),
            event('purchase', 'e1', T0, 'a'),
            opts('n1', T0, 0, halfLife),
          );
          const now = T0 + dt;
          const v = affinity(p, 'item:a', now, halfLife);
          const later = affinity(p, 'item:a', now + halfLife, halfLife);
          expect(later / v).toBeCloseTo(0.5, 9);
        },
      ),
    );
  });

  it('reads the same whichever landmark the sum is kept against', () => {
    const h = 3 * DAY;
    const t = T0 + 5 * h;
    for (const landmark of [gridLandmark(T0, h), gridLandmark(t, h), gridLandmark(T0 - 40 * h, h)]) {
      const sum = 2 * forwardWeight(t, landmark, h);
      expect(decayedValue(sum, landmark, t + h, h)).toBeCloseTo(1, 12);
    }
  });

  it('moves the landmark and stays finite across ten years of events', () => {
    const h = 3 * DAY;
    let p = emptyProfile(T0);
    const landmarks = new Set<number>();
    let expected = 0;
    const end = T0 + 3650 * DAY;
    for (let i = 0, t = T0; t <= end; i++, t += 7 * DAY) {
      p = applyEvent(p, event('view', `e${i}`, t, 'a'), opts('n1', t, 0, h));
      landmarks.add(p.landmark);
      expected += 2 ** (-(end - t) / h);
    }
    expect(landmarks.size).toBeGreaterThan(3);
    for (const nodes of Object.values(p.affinities))
      for (const v of Object.values(nodes)) expect(Number.isFinite(v)).toBe(true);
    expect(end - p.landmark).toBeLessThanOrEqual(LANDMARK_SPAN_HALF_LIVES * h);
    expect(affinity(p, 'item:a', end, h)).toBeCloseTo(expected, 9);
    expect(eventCount(p, 'view', end, h)).toBeCloseTo(expected, 9);
  });

  it('re-anchors old sums when the half-life changes', () => {
    const p1 = applyEvent(emptyProfile(T0), event('view', 'e1', T0, 'a'), opts('n1', T0, 0, DAY));
    const p2 = applyEvent(p1, event('view', 'e2', T0 + DAY, 'b'), opts('n1', T0 + DAY, 0, 2 * DAY));
    expect(p2.halfLifeMs).toBe(2 * DAY);
    expect(affinity(p2, 'item:a', T0 + DAY, 2 * DAY)).toBeCloseTo(0.5, 12);
    expect(affinity(p2, 'item:b', T0 + DAY, 2 * DAY)).toBeCloseTo(1, 12);
  });
});
