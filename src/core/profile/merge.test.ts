import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Profile } from '../types.js';
import { applyEvent } from './apply.js';
import { emptyProfile, eraseProfile, isErased } from './empty.js';
import { recordExposure } from './exposure.js';
import { mergeProfiles } from './merge.js';
import { affinity } from './read.js';
import {
  applyAll,
  arbEvent,
  arbProfile,
  canonical,
  DAY,
  event,
  HALF_LIFE,
  NODES,
  opts,
  T0,
} from './test-helpers.js';

// Short spans fill every limit; spans of 1000 half-lives move landmarks, so merges rescale.
const arbShort = arbProfile(20 * HALF_LIFE);
const arb = fc.oneof(arbShort, arbProfile(1000 * HALF_LIFE));

describe('mergeProfiles is a join', () => {
  it('is commutative', () => {
    fc.assert(
      fc.property(arb, arb, (a, b) => {
        expect(canonical(mergeProfiles(a, b))).toBe(canonical(mergeProfiles(b, a)));
      }),
      { numRuns: 200 },
    );
  });

  it('is associative, even across landmark moves', () => {
    fc.assert(
      fc.property(arb, arb, arb, (a, b, c) => {
        expect(canonical(mergeProfiles(mergeProfiles(a, b), c))).toBe(
          canonical(mergeProfiles(a, mergeProfiles(b, c))),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(arb, (a) => {
        expect(canonical(mergeProfiles(a, a))).toBe(canonical(a));
      }),
    );
  });

  it('absorbs a profile it already contains', () => {
    fc.assert(
      fc.property(arbShort, arbShort, (a, b) => {
        const ab = mergeProfiles(a, b);
        expect(canonical(mergeProfiles(ab, b))).toBe(canonical(ab));
      }),
    );
  });
});

describe('replicas converge', () => {
  type Op =
    | { kind: 'apply'; replica: number; event: ReturnType<typeof event> }
    | { kind: 'sync'; from: number; to: number };
  const arbOp: fc.Arbitrary<Op> = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('apply' as const),
        replica: fc.nat(2),
        event: fc.oneof(
          { weight: 5, arbitrary: arbEvent(30 * HALF_LIFE, 500) },
          { weight: 1, arbitrary: arbEvent(600 * HALF_LIFE) },
        ),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('sync' as const), from: fc.nat(2), to: fc.nat(2) }),
    },
  );

  it('gives the same profile whatever order the replicas merge in', () => {
    fc.assert(
      fc.property(fc.array(arbOp, { minLength: 20, maxLength: 120, size: 'max' }), (ops) => {
        const replicas: Profile[] = NODES.map(() => emptyProfile(T0));
        const clocks = [0, 0, 0];
        for (const op of ops) {
          if (op.kind === 'sync') {
            replicas[op.to] = mergeProfiles(replicas[op.to]!, replicas[op.from]!);
            continue;
          }
          const r = op.replica;
          clocks[r] = Math.max(clocks[r]! + 1, op.event.ts);
          replicas[r] = applyEvent(replicas[r]!, op.event, opts(NODES[r]!, clocks[r]!));
        }
        const [a, b, c] = replicas as [Profile, Profile, Profile];
        const orders = [
          mergeProfiles(mergeProfiles(a, b), c),
          mergeProfiles(mergeProfiles(b, c), a),
          mergeProfiles(mergeProfiles(c, a), b),
          mergeProfiles(c, mergeProfiles(b, a)),
          mergeProfiles(a, mergeProfiles(c, b)),
        ].map(canonical);
        for (const o of orders) expect(o).toBe(orders[0]);
      }),
      { numRuns: 150 },
    );
  });

  it('counts an event once per node that applied it (a G-counter per node)', () => {
    const e = event('view', 'e1', T0, 'a');
    const onA = applyEvent(emptyProfile(T0), e, opts('n1', T0));
    const onB = applyEvent(emptyProfile(T0), e, opts('n2', T0));
    const merged = mergeProfiles(mergeProfiles(onA, onB), onA);
    expect(affinity(merged, 'item:a', T0, HALF_LIFE)).toBeCloseTo(2, 12);
  });
});

describe('merge details', () => {
  it('rescales the older landmark to the newer one before taking maxima', () => {
    const old = applyAll(emptyProfile(T0), [event('purchase', 'e1', T0, 'a')], 'n1');
    const later = T0 + 300 * HALF_LIFE;
    const recent = applyAll(emptyProfile(later), [event('view', 'e2', later, 'a')], 'n2');
    expect(recent.landmark).toBeGreaterThan(old.landmark);
    const merged = mergeProfiles(old, recent);
    expect(merged.landmark).toBe(recent.landmark);
    const expected = 5 * 2 ** -300 + 1;
    expect(affinity(merged, 'item:a', later, HALF_LIFE)).toBeCloseTo(expected, 12);
  });

  it('lets an empty profile take no part in choosing the landmark', () => {
    const p = applyAll(emptyProfile(T0), [event('view', 'e1', T0, 'a')], 'n1');
    const merged = mergeProfiles(p, emptyProfile(T0 + 10_000 * DAY));
    expect(merged.landmark).toBe(p.landmark);
    expect(affinity(merged, 'item:a', T0, HALF_LIFE)).toBeCloseTo(1, 12);
  });

  it('takes the later write of a trait, whichever side it is on', () => {
    const early = applyEvent(
      emptyProfile(T0),
      event('form', 'e1', T0, undefined, { survey: { question: 'goal', answer: 'run' } }),
      opts('n1', T0),
    );
    const late = applyEvent(
      emptyProfile(T0),
      event('form', 'e2', T0, undefined, { survey: { question: 'goal', answer: 'walk' } }),
      opts('n2', T0 + 5),
    );
    expect(mergeProfiles(early, late).traits['survey.goal']?.v).toBe('walk');
    expect(mergeProfiles(late, early).traits['survey.goal']?.v).toBe('walk');
  });

  it('merges exposures per node by max', () => {
    const base = recordExposure(emptyProfile(T0), 'item:a', 'n1', 2);
    const a = recordExposure(base, 'item:a', 'n1', 3);
    const b = recordExposure(base, 'item:a', 'n2', 1);
    expect(mergeProfiles(a, b).exposures['item:a']).toEqual({ n1: 5, n2: 1 });
  });
});

describe('erasure', () => {
  it('lets the tombstone win every merge, in either order', () => {
    fc.assert(
      fc.property(arbShort, fc.integer({ min: T0, max: T0 + DAY }), (p, at) => {
        const t = eraseProfile(at);
        expect(mergeProfiles(p, t)).toEqual(t);
        expect(mergeProfiles(t, p)).toEqual(t);
        expect(isErased(mergeProfiles(mergeProfiles(p, t), p))).toBe(true);
      }),
    );
  });

  it('keeps the latest erasure time when two tombstones meet', () => {
    expect(mergeProfiles(eraseProfile(5), eraseProfile(9)).erasedAt).toBe(9);
    expect(mergeProfiles(eraseProfile(9), eraseProfile(5)).erasedAt).toBe(9);
  });

  it('ignores events applied to an erased profile', () => {
    const t = eraseProfile(T0);
    expect(applyEvent(t, event('view', 'e1', T0, 'a'), opts('n1', T0))).toBe(t);
  });
});
