import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { referenceApplyEvent } from '../../../test/helpers/reference-apply.js';
import type { Hlc, Profile, TesseraEvent } from '../types.js';
import { type ApplyOptions, applyEvent, applyEvents } from './apply.js';
import { emptyProfile } from './empty.js';
import { mergeProfiles } from './merge.js';
import { arbEvent, arbProfile, catalog, DAY, event, HALF_LIFE, NODES, T0 } from './test-helpers.js';

/** Mostly the ordinary events, some impressions (a view inside a slot), ids from a pool wider than `seen` keeps. */
const arbMixedEvent = (spanMs: number) =>
  fc.oneof(
    { weight: 4, arbitrary: arbEvent(spanMs, 60) },
    {
      weight: 1,
      arbitrary: fc
        .record({
          id: fc.integer({ min: 0, max: 60 }),
          dt: fc.integer({ min: 0, max: spanMs }),
          item: fc.constantFrom('a', 'b', 'x'),
        })
        .map(({ id, dt, item }) => event('view', `e${id}`, T0 + dt, item, { slot: 'recs' })),
    },
  );

interface Step {
  event: TesseraEvent;
  node: string;
  /** Clock advance in ms; the node clock may also lag behind the event. */
  tick: number;
  /** A configuration change: another half-life re-anchors the sums. */
  halfLifeMs: number;
}

const arbSteps = (spanMs: number) =>
  fc.array(
    fc.record({
      event: arbMixedEvent(spanMs),
      node: fc.constantFrom(...NODES),
      tick: fc.integer({ min: 0, max: spanMs / 20 }),
      halfLifeMs: fc.constantFrom(HALF_LIFE, HALF_LIFE, HALF_LIFE, 2 * HALF_LIFE),
    }),
    { maxLength: 80 },
  );

/** The options each step is applied with: a clock that only moves forward, per step. */
function stepOptions(steps: Step[]): ApplyOptions[] {
  let p = T0;
  return steps.map((s, i) => {
    p += s.tick;
    return { node: s.node, at: { p, l: i % 3, n: s.node }, halfLifeMs: s.halfLifeMs, item: catalog };
  });
}

/** Start profiles as the engine meets them: made here, merged, or built elsewhere (a deep copy this module never saw). */
const arbStart = fc.oneof(
  fc.constant(emptyProfile(T0)),
  arbProfile(20 * HALF_LIFE),
  fc.tuple(arbProfile(20 * HALF_LIFE), arbProfile(300 * HALF_LIFE)).map(([a, b]) => mergeProfiles(a, b)),
  arbProfile(300 * HALF_LIFE).map((p) => structuredClone(p)),
);

function deepFreeze<T>(x: T): T {
  if (typeof x === 'object' && x !== null) {
    for (const v of Object.values(x)) deepFreeze(v);
    Object.freeze(x);
  }
  return x;
}

describe('applyEvent against the copy-everything reference', () => {
  it('gives the same profile, byte for byte, after every event of any stream', () => {
    fc.assert(
      fc.property(arbStart, arbSteps(600 * HALF_LIFE), (start, steps) => {
        const all = stepOptions(steps);
        let fast = start;
        let slow = start;
        steps.forEach((s, i) => {
          fast = applyEvent(fast, s.event, all[i]!);
          slow = referenceApplyEvent(slow, s.event, all[i]!);
          expect(JSON.stringify(fast)).toBe(JSON.stringify(slow));
        });
      }),
      { numRuns: 150 },
    );
  });

  it('never changes its input, even when one profile is the base of several', () => {
    fc.assert(
      fc.property(arbStart, arbSteps(50 * HALF_LIFE), (start, steps) => {
        const base = deepFreeze(start);
        const all = stepOptions(steps);
        // Every step branches from the same base, then the base takes one more event.
        steps.forEach((s, i) => {
          expect(JSON.stringify(applyEvent(base, s.event, all[i]!))).toBe(
            JSON.stringify(referenceApplyEvent(base, s.event, all[i]!)),
          );
        });
      }),
      { numRuns: 60 },
    );
  });
});

describe('applyEvents', () => {
  it('equals applying the events one by one, reading the clock once per event', () => {
    fc.assert(
      fc.property(arbStart, arbSteps(300 * HALF_LIFE), fc.constantFrom(...NODES), (start, steps, node) => {
        const events = steps.map((s) => s.event);
        const clock = () => {
          let l = 0;
          return (): Hlc => ({ p: T0 + 1000 * Math.floor(l / 4), l: l++ % 4, n: node });
        };
        const opts = { node, halfLifeMs: HALF_LIFE, item: catalog };
        const tick = clock();
        let oneByOne = start;
        for (const e of events) oneByOne = applyEvent(oneByOne, e, { ...opts, at: tick() });
        const batch = applyEvents(start, events, { ...opts, at: clock() });
        expect(JSON.stringify(batch)).toBe(JSON.stringify(oneByOne));
        expect(batch === start).toBe(oneByOne === start);
      }),
      { numRuns: 150 },
    );
  });

  it('returns the very same profile when every event was seen already, a new one otherwise', () => {
    const at = { p: T0, l: 0, n: 'n1' };
    const opts = { node: 'n1', at, halfLifeMs: HALF_LIFE, item: catalog };
    const events = [event('view', 'e1', T0, 'a'), event('click', 'e2', T0, 'b')];
    const p = applyEvents(emptyProfile(T0), events, opts);
    expect(applyEvents(p, events, opts)).toBe(p);
    expect(applyEvent(p, events[1]!, opts)).toBe(p);
    expect(applyEvents(p, [...events, event('view', 'e3', T0, 'c')], opts)).not.toBe(p);
  });

  it('drops a repeat inside one batch', () => {
    const opts = { node: 'n1', at: { p: T0, l: 0, n: 'n1' }, halfLifeMs: HALF_LIFE, item: catalog };
    const once = applyEvents(emptyProfile(T0), [event('purchase', 'e1', T0, 'a')], opts);
    const twice = applyEvents(
      emptyProfile(T0),
      [event('purchase', 'e1', T0, 'a'), event('purchase', 'e1', T0, 'a')],
      opts,
    );
    expect(twice).toEqual(once);
  });

  it('still knows every kept event id after a long stream evicted the oldest', () => {
    const opts = (i: number) => ({
      node: 'n1',
      at: { p: T0 + i, l: 0, n: 'n1' },
      halfLifeMs: HALF_LIFE,
      item: catalog,
    });
    let p: Profile = emptyProfile(T0);
    for (let i = 0; i < 100; i++) p = applyEvent(p, event('view', `e${i}`, T0 + i, 'a'), opts(i));
    // The newest ids are kept and stay duplicates; the evicted oldest count again, as before.
    expect(applyEvent(p, event('view', 'e99', T0, 'a'), opts(200))).toBe(p);
    expect(applyEvent(p, event('view', 'e0', T0, 'a'), opts(200))).not.toBe(p);
    expect(applyEvent(p, event('view', 'e0', T0, 'a'), opts(200)).seen).toEqual(
      referenceApplyEvent(p, event('view', 'e0', T0, 'a'), opts(200)).seen,
    );
  });

  it('gives the same result when the catalog callback applies events to another profile meanwhile', () => {
    const o = { node: 'n1', at: { p: T0, l: 0, n: 'n1' }, halfLifeMs: HALF_LIFE };
    let inner: Profile = emptyProfile(T0);
    let k = 0;
    const nested = {
      ...o,
      item: (id: string) => {
        inner = applyEvent(inner, event('view', `inner${k++}`, T0, 'b'), { ...o, item: catalog });
        return catalog(id);
      },
    };
    let outer: Profile = emptyProfile(T0);
    let expected: Profile = emptyProfile(T0);
    for (let i = 0; i < 5; i++) {
      const e = event('purchase', `outer${i}`, T0 + i, 'a');
      outer = applyEvent(outer, e, nested);
      expected = referenceApplyEvent(expected, e, { ...o, item: catalog });
    }
    expect(JSON.stringify(outer)).toBe(JSON.stringify(expected));
    expect(k).toBeGreaterThan(0);
    expect(inner.seen.length).toBe(k);
  });

  it('leaves an erased profile as it is', () => {
    const erased = { ...emptyProfile(T0), erasedAt: T0 + DAY };
    const opts = { node: 'n1', at: { p: T0, l: 0, n: 'n1' }, halfLifeMs: HALF_LIFE };
    expect(applyEvents(erased, [event('view', 'e1', T0, 'a')], opts)).toBe(erased);
  });
});
