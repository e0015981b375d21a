import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyProfile } from '../profile/empty.js';
import { mergeProfiles } from '../profile/merge.js';
import { affinity, strongestAffinity } from '../profile/read.js';
import { applyAll, arbProfile, event, HALF_LIFE, T0 } from '../profile/test-helpers.js';
import type { AffinityKind, Profile } from '../types.js';
import { compileSegments } from './evaluate.js';
import { affinitySlot, affinityValue, strongestValueOf } from './profile-reads.js';

const KEYS = [
  'category:shoes',
  'category:shirts',
  'category:socks',
  'brand:acme',
  'brand:zeta',
  'tag:red',
  'item:a',
  'item:d',
  'category:none',
];
const KINDS: AffinityKind[] = ['item', 'category', 'brand', 'tag'];
const arbNow = fc.integer({ min: 0, max: 400 }).map((h) => T0 + h * 3_600_000);

describe('profile reads for rules', () => {
  it('equal to the bit what affinity and strongestAffinity return, profile after profile', () => {
    const slots = KEYS.map(affinitySlot);
    fc.assert(
      fc.property(arbProfile(), arbProfile(), arbNow, arbNow, (a, b, now, later) => {
        const merged = mergeProfiles(a, b);
        // Each profile read twice at two times: the second read comes from what the first kept.
        for (const p of [a, b, merged, a, merged]) {
          for (const t of [now, later]) {
            KEYS.forEach((key, i) => {
              expect(affinityValue(p, slots[i]!, key, t, HALF_LIFE)).toBe(affinity(p, key, t, HALF_LIFE));
            });
            for (const kind of KINDS) {
              const top = strongestAffinity(p, kind, t, HALF_LIFE);
              expect(strongestValueOf(p, kind, t, HALF_LIFE)).toBe(top?.slice(kind.length + 1));
            }
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('reads a key whose rule was compiled after the profile was first read', () => {
    const p = applyAll(emptyProfile(T0), [event('view', 'e1', T0, 'a'), event('view', 'e2', T0, 'd')], 'n1');
    expect(affinityValue(p, affinitySlot('category:shoes'), 'category:shoes', T0, HALF_LIFE)).toBeGreaterThan(
      0,
    );
    const late = `category:late-${Math.random()}`;
    const lateSlot = affinitySlot(late);
    expect(affinityValue(p, lateSlot, late, T0, HALF_LIFE)).toBe(0);
    expect(affinityValue(p, affinitySlot('category:socks'), 'category:socks', T0, HALF_LIFE)).toBe(
      affinity(p, 'category:socks', T0, HALF_LIFE),
    );
  });

  it('sees new events: a profile with new affinities is read again', () => {
    const slot = affinitySlot('category:socks');
    const p = applyAll(emptyProfile(T0), [event('view', 'e1', T0, 'a')], 'n1');
    expect(affinityValue(p, slot, 'category:socks', T0, HALF_LIFE)).toBe(0);
    expect(strongestValueOf(p, 'category', T0, HALF_LIFE)).toBe('shoes');
    const next = applyAll(p, [event('view', 'e2', T0, 'd'), event('view', 'e3', T0, 'd')], 'n1');
    expect(affinityValue(next, slot, 'category:socks', T0, HALF_LIFE)).toBe(
      affinity(next, 'category:socks', T0, HALF_LIFE),
    );
    expect(strongestValueOf(next, 'category', T0, HALF_LIFE)).toBe('socks');
    // The same object given other affinities (a caller that replaces the field) is read again too.
    const replaced: Profile = { ...p };
    expect(strongestValueOf(replaced, 'category', T0, HALF_LIFE)).toBe('shoes');
    replaced.affinities = next.affinities;
    expect(strongestValueOf(replaced, 'category', T0, HALF_LIFE)).toBe('socks');
  });
});

describe('segments of one affinity leaf', () => {
  const input = (profile: Profile | undefined, now: number) => ({
    ctx: {
      method: 'GET',
      path: '/',
      cookies: {},
      device: 'desktop' as const,
      localHour: 12,
      utm: {},
      gpc: false,
      dnt: false,
      now,
    },
    profile,
    now,
    halfLifeMs: HALF_LIFE,
  });

  it('give the memberships the same rule gives inside a combinator', () => {
    // Comparisons compared inline (bounds) and through the leaf's test (eq, neq, in).
    const COMPARISONS: Array<Record<string, unknown>> = [
      { gte: 1.5 },
      {},
      { lt: 0.75 },
      { gt: 0.5, lte: 3 },
      { gte: 2, gt: 2 },
      { lt: 1, lte: 1, gte: 0 },
      { gt: -1 },
      { eq: 0 },
      { neq: 0 },
      { in: [0, 1] },
    ];
    const bare = compileSegments(
      KEYS.flatMap((key, i) =>
        COMPARISONS.map((cmp, j) => ({ id: `s${i}-${j}`, rule: { affinity: key, ...cmp } })),
      ),
    );
    const wrapped = compileSegments(
      KEYS.flatMap((key, i) =>
        COMPARISONS.map((cmp, j) => ({
          id: `s${i}-${j}`,
          rule:
            j % 2 === 0
              ? { all: [{ affinity: key, ...cmp }, { all: [] }] }
              : { not: { not: { affinity: key, ...cmp } } },
        })),
      ),
    );
    fc.assert(
      fc.property(arbProfile(), arbNow, (p, now) => {
        expect(bare.evaluate(input(p, now))).toEqual(wrapped.evaluate(input(p, now)));
        expect(bare.evaluateProfileOnly(input(p, now))).toEqual(wrapped.evaluate(input(p, now)));
      }),
      { numRuns: 150 },
    );
    expect(bare.evaluate(input(undefined, T0))).toEqual([]);
  });

  it('read keys past the per-profile table from the profile itself', () => {
    const many = Array.from({ length: 300 }, (_, i) => `tag:many-${i}`);
    const evaluator = compileSegments([
      ...many.map((key, i) => ({ id: `m${i}`, rule: { affinity: key } })),
      { id: 'cotton', rule: { affinity: 'tag:cotton', gt: 0 } },
      { id: 'red', rule: { affinity: 'tag:red' } },
    ]);
    expect(affinitySlot('tag:cotton')).toBeGreaterThanOrEqual(256);
    const p = applyAll(emptyProfile(T0), [event('view', 'e1', T0, 'c')], 'n1');
    expect(evaluator.evaluate(input(p, T0))).toEqual(['cotton', 'red']);
    expect(affinityValue(p, affinitySlot('tag:cotton'), 'tag:cotton', T0, HALF_LIFE)).toBe(
      affinity(p, 'tag:cotton', T0, HALF_LIFE),
    );
  });
});
