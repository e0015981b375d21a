import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DIGEST_LAST, DIGEST_TOP, makeDigest, profileFromDigest } from './digest.js';
import { emptyProfile, eraseProfile } from './empty.js';
import { affinity, isSuppressed, topAffinities } from './read.js';
import { applyAll, arbProfile, event, HALF_LIFE, T0 } from './test-helpers.js';

const NOW = T0 + 25 * HALF_LIFE;

describe('makeDigest', () => {
  it('carries the strongest affinities, the last distinct items and the active suppressions', () => {
    fc.assert(
      fc.property(arbProfile(20 * HALF_LIFE), (p) => {
        const d = makeDigest(p, ['runners'], NOW, HALF_LIFE);
        const top = topAffinities(p, undefined, NOW, HALF_LIFE, DIGEST_TOP);
        expect(Object.keys(d.top).sort()).toEqual(
          top
            .filter(([, v]) => Number(v.toPrecision(4)) > 0)
            .map(([k]) => k)
            .sort(),
        );
        expect(d.last.length).toBeLessThanOrEqual(DIGEST_LAST);
        expect(new Set(d.last).size).toBe(d.last.length);
        expect(d.last[0]).toBe(p.recent[0]?.item);
        for (const key of d.suppressed) expect(isSuppressed(p, key, NOW)).toBe(true);
        expect(d.segments).toEqual(['runners']);
        expect(d.at).toBe(NOW);
      }),
    );
  });

  it('leaves out expired suppressions', () => {
    const p = applyAll(
      emptyProfile(T0),
      [event('feedback', 'e1', T0, 'a', { kind: 'thumbs', value: 'down' })],
      'n1',
    );
    expect(makeDigest(p, [], T0 + 1, HALF_LIFE).suppressed).toEqual(['item:a']);
    expect(makeDigest(p, [], T0 + 8 * 24 * 3600 * 1000, HALF_LIFE).suppressed).toEqual([]);
  });

  it('is empty for an erased profile', () => {
    const d = makeDigest(eraseProfile(T0), [], T0, HALF_LIFE);
    expect(d).toMatchObject({ top: {}, last: [], suppressed: [] });
  });
});

describe('profileFromDigest', () => {
  it('answers the questions a decision asks the same way the full profile does', () => {
    fc.assert(
      fc.property(arbProfile(20 * HALF_LIFE), (p) => {
        const d = makeDigest(p, [], NOW, HALF_LIFE);
        const q = profileFromDigest(d, 'edge-1');
        for (const [key, v] of Object.entries(d.top)) {
          expect(affinity(q, key, NOW, HALF_LIFE)).toBeCloseTo(v, 9);
          expect(affinity(q, key, NOW + HALF_LIFE, HALF_LIFE)).toBeCloseTo(v / 2, 9);
        }
        expect(q.recent.map((r) => r.item)).toEqual(d.last);
        for (const key of d.suppressed) expect(isSuppressed(q, key, NOW + 1)).toBe(true);
      }),
    );
  });
});
