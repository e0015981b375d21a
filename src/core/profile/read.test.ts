import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AffinityKind } from '../types.js';
import { emptyProfile } from './empty.js';
import { recordExposure } from './exposure.js';
import { mergeProfiles } from './merge.js';
import { eventCount, exposureCount, lastEventAt, strongestAffinity, topAffinities, traitOf } from './read.js';
import { applyAll, arbProfile, event, HALF_LIFE, T0 } from './test-helpers.js';

describe('profile reads', () => {
  const p = applyAll(
    emptyProfile(T0),
    [
      event('view', 'e1', T0, 'a'),
      event('view', 'e2', T0, 'b'),
      event('purchase', 'e3', T0, 'b'),
      event('identify', 'e4', T0, undefined, { traits: { size: 42 } }),
    ],
    'n1',
  );

  it('ranks affinities of one kind, strongest first, keeping the kind prefix', () => {
    expect(topAffinities(p, 'category', T0, HALF_LIFE, 5)).toEqual([
      ['category:shoes', expect.closeTo(7, 9)],
    ]);
    expect(topAffinities(p, 'brand', T0, HALF_LIFE, 5).map(([k]) => k)).toEqual(['brand:zeta', 'brand:acme']);
    expect(topAffinities(p, undefined, T0, HALF_LIFE, 2).map(([k]) => k)).toEqual([
      'category:shoes',
      'brand:zeta',
    ]);
    expect(topAffinities(p, 'item', T0, HALF_LIFE, 0)).toEqual([]);
  });

  it('sums a key over nodes after a merge', () => {
    const other = applyAll(emptyProfile(T0), [event('view', 'x1', T0, 'a')], 'n2');
    const merged = mergeProfiles(p, other);
    expect(topAffinities(merged, 'item', T0, HALF_LIFE, 1)).toEqual([['item:b', expect.closeTo(6, 9)]]);
    expect(eventCount(merged, 'view', T0, HALF_LIFE)).toBeCloseTo(3, 9);
  });

  it('finds the last event of a type among recent items, and traits by name', () => {
    expect(lastEventAt(p, 'purchase')).toBe(T0 + 2);
    expect(lastEventAt(p, 'add_to_cart')).toBeUndefined();
    expect(traitOf(p, 'size')).toBe(42);
    expect(traitOf(p, 'constructor')).toBeUndefined();
  });

  it('counts exposures per key across nodes', () => {
    let q = recordExposure(p, 'item:a', 'n1');
    q = recordExposure(q, 'item:a', 'n2', 2);
    expect(exposureCount(q, 'item:a')).toBe(3);
    expect(exposureCount(q, 'item:b')).toBe(0);
    expect(recordExposure(q, 'item:a', 'n1', -4)).toBe(q);
  });
});

describe('strongest affinity', () => {
  it('ranks by the stored sums where decay rounds two values to one', () => {
    // Sums one ulp apart: after decay they round to the same double at some times. The key with
    // the larger sum still ranks first (not the smaller key by the tie-break), as strongestAffinity says.
    const small = 3;
    const large = 3 + 2 * Number.EPSILON;
    const p = {
      ...emptyProfile(T0),
      halfLifeMs: HALF_LIFE,
      affinities: { 'category:a': { n1: small }, 'category:b': { n1: large } },
    };
    let tieAt: number | undefined;
    for (let h = 1; h < 24 * 90 && tieAt === undefined; h++) {
      const now = T0 + h * 3_600_000;
      const [a, b] = ['category:a', 'category:b'].map(
        (k) => topAffinities(p, 'category', now, HALF_LIFE, 2).find(([x]) => x === k)?.[1],
      );
      if (a !== undefined && a === b) tieAt = now;
    }
    expect(tieAt).toBeDefined();
    expect(topAffinities(p, 'category', tieAt!, HALF_LIFE, 1)[0]?.[0]).toBe('category:b');
    expect(strongestAffinity(p, 'category', tieAt!, HALF_LIFE)).toBe('category:b');
  });

  it('always names the key topAffinities ranks first, at any time', () => {
    fc.assert(
      fc.property(
        arbProfile(),
        fc.constantFrom('item', 'category', 'brand', 'tag'),
        fc.integer({ min: 0, max: 90 }),
        (p, kind, days) => {
          const now = T0 + days * 86_400_000;
          const expected = topAffinities(p, kind as AffinityKind, now, HALF_LIFE, 1)[0]?.[0];
          expect(strongestAffinity(p, kind as AffinityKind, now, HALF_LIFE)).toBe(expected);
        },
      ),
    );
  });
});
