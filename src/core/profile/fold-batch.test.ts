import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { referenceApplyEvent } from '../../../test/helpers/reference-apply.js';
import type { Hlc, Profile, TesseraEvent } from '../types.js';
import { type ApplyBatchOptions, applyEvent, applyEvents } from './apply.js';
import { emptyProfile } from './empty.js';
import { PLAIN_TYPES } from './event-kinds.js';
import { foldPlainBatch } from './fold-batch.js';
import { FoldState } from './fold-state.js';
import { PROFILE_LIMITS } from './limits.js';
import { mergeProfiles } from './merge.js';
import { arbProfile, catalog, DAY, event, HALF_LIFE, NODES, T0 } from './test-helpers.js';
import { normalizeProfile } from './truncate.js';

const PLAIN = [...PLAIN_TYPES] as TesseraEvent['type'][];

/** Plain behavioural events: ids shared with arbProfile's (e0..e40) and repeated within a batch, times in any order. */
const arbPlainEvent = (spanMs: number) =>
  fc
    .record({
      id: fc.integer({ min: 0, max: 60 }),
      type: fc.constantFrom(...PLAIN),
      dt: fc.oneof(fc.integer({ min: -spanMs / 4, max: spanMs }), fc.constantFrom(Number.NaN, 1e20)),
      item: fc.option(fc.constantFrom('a', 'b', 'c', 'd', 'i1', 'i2', 'i3', 'i4', 'i5', 'i6'), {
        nil: undefined,
        freq: 6,
      }),
    })
    .map(({ id, type, dt, item }) => event(type, `e${id}`, T0 + dt, item));

const arbStart = fc.oneof(
  fc.constant(emptyProfile(T0)),
  arbProfile(20 * HALF_LIFE),
  arbProfile(20 * HALF_LIFE).map((p) => structuredClone(p)),
  fc.tuple(arbProfile(20 * HALF_LIFE), arbProfile(400 * HALF_LIFE)).map(([a, b]) => mergeProfiles(a, b)),
  arbProfile(20 * HALF_LIFE).map((p) => ({ ...p, erasedAt: T0 + DAY })),
);

interface Batch {
  node: string;
  halfLifeMs: number;
  /** Node clock per event (a clock function), or one fixed reading. */
  readings: Hlc[] | Hlc;
}

const arbBatch = (n: number, spanMs: number) =>
  fc.record({
    node: fc.constantFrom(...NODES),
    halfLifeMs: fc.constantFrom(HALF_LIFE, HALF_LIFE, HALF_LIFE, 2 * HALF_LIFE),
    fixed: fc.boolean(),
    base: fc.integer({ min: 0, max: spanMs }),
    ticks: fc.array(fc.integer({ min: 0, max: spanMs / 50 }), { minLength: n, maxLength: n }),
  });

function batchOf(b: {
  node: string;
  halfLifeMs: number;
  fixed: boolean;
  base: number;
  ticks: number[];
}): Batch {
  if (b.fixed)
    return { node: b.node, halfLifeMs: b.halfLifeMs, readings: { p: T0 + b.base, l: 0, n: b.node } };
  let p = T0 + b.base;
  const readings = b.ticks.map((t, i) => {
    p += t;
    return { p, l: i % 2, n: b.node };
  });
  return { node: b.node, halfLifeMs: b.halfLifeMs, readings };
}

function batchOptions(b: Batch): ApplyBatchOptions {
  const { readings } = b;
  let k = 0;
  const at = Array.isArray(readings) ? () => readings[k++]! : readings;
  return { node: b.node, halfLifeMs: b.halfLifeMs, item: catalog, at };
}

function reading(b: Batch, i: number): Hlc {
  return Array.isArray(b.readings) ? b.readings[i]! : b.readings;
}

/** The copy-everything reference, one event at a time. */
function reference(start: Profile, events: TesseraEvent[], b: Batch): Profile {
  let p = start;
  events.forEach((e, i) => {
    p = referenceApplyEvent(p, e, {
      node: b.node,
      at: reading(b, i),
      halfLifeMs: b.halfLifeMs,
      item: catalog,
    });
  });
  return p;
}

/** Whether the fast path takes this batch (on a state of its own, so nothing else is touched). */
function takesFastPath(start: Profile, events: TesseraEvent[], b: Batch): boolean {
  if (start.erasedAt !== undefined) return false;
  const state = new FoldState(normalizeProfile(structuredClone(start)));
  const ats = Array.isArray(b.readings) ? b.readings : undefined;
  return foldPlainBatch(state, events, ats, batchOptions(b)) !== false;
}

describe('the batch fast path of applyEvents', () => {
  it('gives the reference profile byte for byte, on the fast path and when it falls back', () => {
    let fast = 0;
    let slow = 0;
    fc.assert(
      fc.property(
        arbStart,
        fc
          .integer({ min: 2, max: 40 })
          .chain((n) =>
            fc.tuple(
              fc.array(arbPlainEvent(400 * HALF_LIFE), { minLength: n, maxLength: n }),
              arbBatch(n, 400 * HALF_LIFE),
            ),
          ),
        (start, [events, raw]) => {
          const b = batchOf(raw);
          if (takesFastPath(start, events, b)) fast++;
          else slow++;
          const batch = applyEvents(start, events, batchOptions(b));
          expect(JSON.stringify(batch)).toBe(JSON.stringify(reference(start, events, b)));
          // The same profile object back exactly when one by one changes nothing.
          let oneByOne = start;
          events.forEach((e, i) => {
            oneByOne = applyEvent(oneByOne, e, { ...batchOptions(b), at: reading(b, i) });
          });
          expect(batch === start).toBe(oneByOne === start);
          // A profile the fast path made carries on like any other.
          const more = [event('view', 'later', T0, 'a'), event('click', 'e3', T0, 'b')];
          expect(JSON.stringify(applyEvents(batch, more, batchOptions(b)))).toBe(
            JSON.stringify(reference(batch, more, b)),
          );
        },
      ),
      { numRuns: 300 },
    );
    // Both paths were exercised, each a fair share of the time.
    expect(fast).toBeGreaterThan(30);
    expect(slow).toBeGreaterThan(30);
  });

  const at: Hlc = { p: T0, l: 0, n: 'n1' };
  const fixed: Batch = { node: 'n1', halfLifeMs: HALF_LIFE, readings: at };
  /** Views of items the catalog does not know: one affinity key each. */
  const views = (n: number, from = 0) =>
    Array.from({ length: n }, (_, i) => event('view', `v${from + i}`, T0 - i * 1000, `x${from + i}`));

  it('fills affinities to the cap exactly on the fast path, and falls back one key past it', () => {
    const full = views(PROFILE_LIMITS.affinities);
    expect(takesFastPath(emptyProfile(T0), full, fixed)).toBe(true);
    const over = views(PROFILE_LIMITS.affinities + 1);
    expect(takesFastPath(emptyProfile(T0), over, fixed)).toBe(false);
    for (const events of [full, over]) {
      expect(JSON.stringify(applyEvents(emptyProfile(T0), events, batchOptions(fixed)))).toBe(
        JSON.stringify(reference(emptyProfile(T0), events, fixed)),
      );
    }
  });

  it('counts a repeat inside the batch once, and falls back on a repeat once seen can have overflowed', () => {
    const base = applyEvents(emptyProfile(T0), views(20), batchOptions(fixed));
    const repeats = [
      event('view', 'v3', T0, 'x1'),
      event('view', 'new', T0, 'x1'),
      event('view', 'new', T0, 'x1'),
    ];
    expect(takesFastPath(base, repeats, fixed)).toBe(true);
    // 20 kept + 12 new fill seen (32); a repeat after them may be of an evicted id.
    const crowd = [...views(12, 100), event('view', 'v0', T0, 'x1')];
    // Past what seen keeps, with no repeat: the fast path, the oldest entries dropped as one by one would.
    const past = Array.from({ length: 15 }, (_, i) => event('view', `p${i}`, T0 - i, 'x1'));
    expect(takesFastPath(base, past, fixed)).toBe(true);
    const crowded = applyEvents(emptyProfile(T0), views(21), batchOptions(fixed));
    expect(takesFastPath(crowded, crowd, fixed)).toBe(false);
    for (const [start, events] of [
      [base, repeats],
      [base, past],
      [crowded, crowd],
    ] as const) {
      expect(JSON.stringify(applyEvents(start, events, batchOptions(fixed)))).toBe(
        JSON.stringify(reference(start, events, fixed)),
      );
    }
  });

  it('falls back when the landmark would move or the half-life changes', () => {
    const start = applyEvents(emptyProfile(T0), views(3), batchOptions(fixed));
    const late: Hlc = { p: T0 + 300 * HALF_LIFE, l: 0, n: 'n1' };
    const moved = [event('view', 'm1', late.p, 'a'), event('view', 'm2', late.p, 'b')];
    const lateBatch: Batch = { ...fixed, readings: late };
    expect(takesFastPath(start, moved, lateBatch)).toBe(false);
    const otherHalfLife: Batch = { ...fixed, halfLifeMs: 2 * HALF_LIFE };
    expect(takesFastPath(start, views(2, 50), otherHalfLife)).toBe(false);
    for (const [events, b] of [
      [moved, lateBatch],
      [views(2, 50), otherHalfLife],
    ] as const) {
      expect(JSON.stringify(applyEvents(start, events, batchOptions(b)))).toBe(
        JSON.stringify(reference(start, events, b)),
      );
    }
  });

  it('falls back for declared data and impressions', () => {
    const mixed = [event('view', 'a1', T0, 'a'), event('identify', 'a2', T0, undefined, { userId: 'u1' })];
    expect(takesFastPath(emptyProfile(T0), mixed, fixed)).toBe(false);
    const shown = [event('view', 'b1', T0, 'a'), event('view', 'b2', T0, 'b', { slot: 'recs' })];
    expect(takesFastPath(emptyProfile(T0), shown, fixed)).toBe(false);
  });
});
