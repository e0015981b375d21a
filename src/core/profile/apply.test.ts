import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyEvent, EVENT_WEIGHTS } from './apply.js';
import { NOT_INTERESTED_MS, THUMBS_DOWN_MS } from './declared.js';
import { emptyProfile } from './empty.js';
import { PROFILE_LIMITS } from './limits.js';
import { affinity, consentOf, eventCount, isSuppressed, topAffinities } from './read.js';
import { applyAll, arbEvent, arbProfile, DAY, event, HALF_LIFE, opts, T0 } from './test-helpers.js';

const fresh = () => emptyProfile(T0);
const one = (e: ReturnType<typeof event>, at = T0) => applyEvent(fresh(), e, opts('n1', at));

describe('applyEvent idempotence', () => {
  it('changes nothing when the same event comes again', () => {
    fc.assert(
      fc.property(arbProfile(20 * HALF_LIFE), arbEvent(20 * HALF_LIFE), (p, e) => {
        const once = applyEvent(p, e, opts('n1', T0 + 30 * HALF_LIFE));
        const twice = applyEvent(once, e, opts('n2', T0 + 31 * HALF_LIFE, 3));
        expect(twice).toEqual(once);
      }),
    );
  });

  it('does not touch its input', () => {
    const p = one(event('view', 'e1', T0, 'a'));
    const before = structuredClone(p);
    applyEvent(p, event('purchase', 'e2', T0, 'a'), opts('n1', T0 + 1));
    expect(p).toEqual(before);
  });
});

describe('applyEvent weights', () => {
  it('adds the type weight to the item, its category, brand and first tags', () => {
    const p = one(event('add_to_cart', 'e1', T0, 'a'));
    for (const key of ['item:a', 'category:shoes', 'brand:acme', 'tag:trail', 'tag:red']) {
      expect(affinity(p, key, T0, HALF_LIFE)).toBeCloseTo(EVENT_WEIGHTS.add_to_cart, 12);
    }
  });

  it('reads only the first four tags of an item', () => {
    const p = one(event('view', 'e1', T0, 'c'));
    expect(topAffinities(p, 'tag', T0, HALF_LIFE, 10).map(([k]) => k)).toEqual([
      'tag:cotton',
      'tag:new',
      'tag:red',
      'tag:sale',
    ]);
  });

  it('ranks a purchase above a click above a view', () => {
    let p = fresh();
    p = applyEvent(p, event('view', 'e1', T0, 'i1'), opts('n1', T0));
    p = applyEvent(p, event('click', 'e2', T0, 'i2'), opts('n1', T0 + 1));
    p = applyEvent(p, event('purchase', 'e3', T0, 'i3'), opts('n1', T0 + 2));
    expect(topAffinities(p, 'item', T0, HALF_LIFE, 3).map(([k]) => k)).toEqual([
      'item:i3',
      'item:i2',
      'item:i1',
    ]);
  });

  it('counts events per type, but not consent or identify', () => {
    let p = fresh();
    p = applyEvent(p, event('page', 'e1', T0), opts('n1', T0));
    p = applyEvent(p, event('page', 'e2', T0), opts('n1', T0 + 1));
    p = applyEvent(p, event('consent', 'e3', T0, undefined, { personalization: true }), opts('n1', T0 + 2));
    expect(eventCount(p, 'page', T0, HALF_LIFE)).toBeCloseTo(2, 12);
    expect(p.counts.consent).toBeUndefined();
  });

  it('keeps recent items newest first, by node clock', () => {
    const p = applyAll(
      fresh(),
      [event('view', 'e1', T0, 'a'), event('click', 'e2', T0 + 5, 'b'), event('page', 'e3', T0 + 9, 'c')],
      'n1',
    );
    expect(p.recent.map((r) => [r.item, r.type])).toEqual([
      ['b', 'click'],
      ['a', 'view'],
    ]);
  });

  it('does not let a client clock in the future inflate a weight', () => {
    const p = applyEvent(fresh(), event('view', 'e1', T0 + 100 * DAY, 'a'), opts('n1', T0));
    expect(affinity(p, 'item:a', T0, HALF_LIFE)).toBeCloseTo(1, 12);
  });
});

describe('applyEvent declared data', () => {
  it('suppresses an item the visitor is not interested in for 30 days', () => {
    const p = one(event('feedback', 'e1', T0, 'a', { kind: 'not_interested' }));
    expect(isSuppressed(p, 'item:a', T0 + NOT_INTERESTED_MS - 1)).toBe(true);
    expect(isSuppressed(p, 'item:a', T0 + NOT_INTERESTED_MS)).toBe(false);
  });

  it("suppresses the item's category when the feedback targets the category", () => {
    const p = one(event('feedback', 'e1', T0, 'a', { kind: 'not_interested', target: 'category' }));
    expect(isSuppressed(p, 'category:shoes', T0 + DAY)).toBe(true);
    expect(isSuppressed(p, 'item:a', T0 + DAY)).toBe(false);
  });

  it('treats thumbs up as weight 3 and thumbs down as a 7-day suppression', () => {
    const up = one(event('feedback', 'e1', T0, 'b', { kind: 'thumbs', value: 'up' }));
    expect(affinity(up, 'item:b', T0, HALF_LIFE)).toBeCloseTo(3, 12);
    const down = one(event('feedback', 'e1', T0, 'b', { kind: 'thumbs', value: 'down' }));
    expect(isSuppressed(down, 'item:b', T0 + THUMBS_DOWN_MS - 1)).toBe(true);
    expect(affinity(down, 'item:b', T0, HALF_LIFE)).toBe(0);
  });

  it('records consent, keeping a category the event does not mention', () => {
    let p = one(event('consent', 'e1', T0, undefined, { personalization: true, analytics: true }));
    p = applyEvent(p, event('consent', 'e2', T0, undefined, { analytics: false }), opts('n1', T0 + 1));
    expect(consentOf(p)).toEqual({ personalization: true, analytics: false });
    expect(consentOf(fresh())).toBeUndefined();
  });

  it('sets the user id and traits from identify, and survey answers from forms', () => {
    let p = one(
      event('identify', 'e1', T0, undefined, {
        userId: 'u-9',
        traits: { plan: 'pro', size: 42, vip: true, bad: {} },
      }),
    );
    p = applyEvent(
      p,
      event('form', 'e2', T0, undefined, { survey: { question: 'goal', answer: 'trail' } }),
      opts('n1', T0 + 1),
    );
    expect(p.userId?.v).toBe('u-9');
    expect(Object.fromEntries(Object.entries(p.traits).map(([k, r]) => [k, r.v]))).toEqual({
      plan: 'pro',
      size: 42,
      vip: true,
      'survey.goal': 'trail',
    });
  });

  it('stores hostile trait names as plain data', () => {
    const traits = JSON.parse('{"__proto__": "x", "constructor": "c", "toString": 1}') as Record<
      string,
      unknown
    >;
    const p = one(event('identify', 'e1', T0, undefined, { traits }));
    expect(Object.keys(p.traits).sort()).toEqual(['constructor', 'toString']);
    expect(Object.getPrototypeOf(p.traits)).toBe(Object.prototype);
  });

  it('caps strings so a hostile event cannot bloat the profile', () => {
    const long = 'é'.repeat(500);
    const p = one(event('identify', 'e1', T0, undefined, { userId: long, traits: { [long]: long } }));
    expect(p.userId!.v.length).toBeLessThan(30);
    const [key, reg] = Object.entries(p.traits)[0]!;
    expect(key.length).toBeLessThanOrEqual(16);
    expect(String(reg.v).length).toBeLessThanOrEqual(24);
  });
});

describe('applyEvent bounds', () => {
  it('never keeps more elements than PROFILE_LIMITS', () => {
    fc.assert(
      fc.property(fc.array(arbEvent(10 * HALF_LIFE, 1000), { minLength: 50, maxLength: 120 }), (events) => {
        const p = applyAll(fresh(), events, 'n1');
        const n = (c: Record<string, Record<string, number>>) =>
          Object.values(c).reduce((s, x) => s + Object.keys(x).length, 0);
        expect(n(p.affinities)).toBeLessThanOrEqual(PROFILE_LIMITS.affinities);
        expect(n(p.counts)).toBeLessThanOrEqual(PROFILE_LIMITS.counts);
        expect(p.recent.length).toBeLessThanOrEqual(PROFILE_LIMITS.recent);
        expect(Object.keys(p.traits).length).toBeLessThanOrEqual(PROFILE_LIMITS.traits);
        expect(Object.keys(p.suppressions).length).toBeLessThanOrEqual(PROFILE_LIMITS.suppressions);
        expect(p.seen.length).toBeLessThanOrEqual(PROFILE_LIMITS.seen);
      }),
      { numRuns: 50 },
    );
  });
});

describe('impressions', () => {
  it('counts a tile seen in a slot as an exposure, not as interest', () => {
    const p = applyAll(
      emptyProfile(T0),
      [
        event('view', 'i1', T0, 'a', { slot: 'recommended' }),
        event('view', 'i2', T0 + 1, 'a', { slot: 'recommended' }),
      ],
      'n1',
    );
    expect(p.exposures['item:a']).toEqual({ n1: 2 });
    expect(p.affinities).toEqual({});
    expect(p.recent).toEqual([]);
    const viewed = applyAll(p, [event('view', 'v1', T0 + 2, 'a')], 'n1');
    expect(Object.keys(viewed.affinities)).toContain('item:a');
  });
});
