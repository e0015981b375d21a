import { describe, expect, it } from 'vitest';
import type { Rule } from '../config.js';
import type { DecisionContext, Profile, RecentItem } from '../types.js';
import { compileRule, type RuleInput } from './compile.js';

const NOW = Date.UTC(2025, 0, 15, 12);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function ctx(over: Partial<DecisionContext> = {}): DecisionContext {
  return {
    method: 'GET',
    path: '/shoes',
    cookies: {},
    device: 'mobile',
    country: 'DE',
    language: 'de',
    localHour: 9,
    referrerHost: 'news.example',
    utm: { source: 'Newsletter', campaign: 'spring' },
    gpc: false,
    dnt: false,
    now: NOW,
    ...over,
  };
}

function recent(type: RecentItem['type'], item: string, agoMs: number): RecentItem {
  return { item, type, at: { p: NOW - agoMs, l: 0, n: 'node-1' } };
}

function profile(over: Partial<Profile> = {}): Profile {
  return {
    v: 1,
    landmark: NOW,
    affinities: {
      'category:running': { 'node-1': 3 },
      'category:hiking': { 'node-1': 1, 'node-2': 0.5 },
      'brand:acme': { 'node-1': 2 },
    },
    counts: {},
    recent: [
      recent('view', 'sku-1', HOUR),
      recent('view', 'sku-2', 2 * DAY),
      recent('view', 'sku-3', 10 * DAY),
      recent('purchase', 'sku-2', 20 * DAY),
    ],
    traits: {
      shoe_size: { v: 42, at: { p: NOW, l: 0, n: 'node-1' } },
      plan: { v: 'Gold', at: { p: NOW, l: 0, n: 'n' } },
    },
    consent: { v: { personalization: true, analytics: false }, at: { p: NOW, l: 0, n: 'node-1' } },
    exposures: {},
    suppressions: {},
    seen: [],
    ...over,
  };
}

const CATEGORY: Record<string, string> = { 'sku-1': 'Running', 'sku-2': 'hiking', 'sku-3': 'running' };

function input(over: Partial<RuleInput> = {}): RuleInput {
  return {
    ctx: ctx(),
    profile: profile(),
    segments: new Set(['vip']),
    now: NOW,
    halfLifeMs: 3 * DAY,
    itemCategory: (id) => CATEGORY[id],
    ...over,
  };
}

const holds = (rule: unknown, over: Partial<RuleInput> = {}): boolean =>
  compileRule(rule as Rule)(input(over));

describe('context leaves', () => {
  it('compares strings case-insensitively with eq, neq and in', () => {
    expect(holds({ context: 'country', eq: 'de' })).toBe(true);
    expect(holds({ context: 'country', eq: 'AT' })).toBe(false);
    expect(holds({ context: 'country', neq: 'AT' })).toBe(true);
    expect(holds({ context: 'country', neq: 'De' })).toBe(false);
    expect(holds({ context: 'country', in: ['AT', 'de', 'CH'] })).toBe(true);
    expect(holds({ context: 'country', in: ['AT', 'CH'] })).toBe(false);
  });

  it('reads utm fields', () => {
    expect(holds({ context: 'utm.source', eq: 'newsletter' })).toBe(true);
    expect(holds({ context: 'utm.campaign', in: ['SPRING', 'summer'] })).toBe(true);
    expect(holds({ context: 'utm.medium', eq: 'email' })).toBe(false);
  });

  it('compares numbers with bounds, all of which must hold', () => {
    expect(holds({ context: 'localHour', gte: 6, lt: 12 })).toBe(true);
    expect(holds({ context: 'localHour', gte: 6, lt: 9 })).toBe(false);
    expect(holds({ context: 'localHour', gt: 9 })).toBe(false);
    expect(holds({ context: 'localHour', lte: 9 })).toBe(true);
  });

  it('compares booleans and device', () => {
    expect(holds({ context: 'gpc', eq: false })).toBe(true);
    expect(holds({ context: 'gpc', eq: true })).toBe(false);
    expect(holds({ context: 'device', eq: 'mobile' })).toBe(true);
    expect(holds({ context: 'referrerHost', eq: 'NEWS.example' })).toBe(true);
  });

  it('treats a missing value as failing every comparison, neq included', () => {
    expect(holds({ context: 'region', eq: 'BY' })).toBe(false);
    expect(holds({ context: 'region', neq: 'BY' })).toBe(false);
    expect(holds({ not: { context: 'region', eq: 'BY' } })).toBe(true);
  });

  it('without an operator, holds when the field is present and not false', () => {
    expect(holds({ context: 'utm.campaign' })).toBe(true);
    expect(holds({ context: 'utm.term' })).toBe(false);
    expect(holds({ context: 'dnt' })).toBe(false);
  });

  it('does not need a profile', () => {
    expect(holds({ context: 'country', eq: 'DE' }, { profile: undefined })).toBe(true);
  });

  it('matches non-ASCII strings case-insensitively', () => {
    expect(holds({ context: 'city', eq: 'MÜNCHEN' }, { ctx: ctx({ city: 'München' }) })).toBe(true);
    expect(holds({ context: 'city', eq: 'Münchenx' }, { ctx: ctx({ city: 'München' }) })).toBe(false);
  });
});

describe('profile leaves', () => {
  it('trait compares numbers and numeric strings alike, strings case-insensitively', () => {
    expect(holds({ trait: 'shoe_size', gte: 42 })).toBe(true);
    expect(holds({ trait: 'shoe_size', gt: 42 })).toBe(false);
    expect(holds({ trait: 'shoe_size', eq: '42' })).toBe(true);
    expect(holds({ trait: 'plan', eq: 'gold' })).toBe(true);
    expect(holds({ trait: 'plan', in: ['silver'] })).toBe(false);
    expect(holds({ trait: 'missing', eq: 1 })).toBe(false);
    expect(holds({ trait: 'constructor' })).toBe(false);
  });

  it('affinity reads the summed value across nodes', () => {
    expect(holds({ affinity: 'category:hiking', gte: 1.5 })).toBe(true);
    expect(holds({ affinity: 'category:hiking', gt: 1.5 })).toBe(false);
    expect(holds({ affinity: 'category:running' })).toBe(true);
    expect(holds({ affinity: 'category:cycling' })).toBe(false);
  });

  it('affinity decays with time: one half-life later the value has halved', () => {
    const later = NOW + 3 * DAY;
    expect(holds({ affinity: 'category:running', gte: 1.4, lte: 1.6 }, { now: later })).toBe(true);
    expect(holds({ affinity: 'category:running', gte: 2 }, { now: later })).toBe(false);
  });

  it('top compares the strongest key of a kind without its prefix', () => {
    expect(holds({ top: 'category', eq: 'RUNNING' })).toBe(true);
    expect(holds({ top: 'category', eq: 'hiking' })).toBe(false);
    expect(holds({ top: 'brand', in: ['acme'] })).toBe(true);
    expect(holds({ top: 'tag' })).toBe(false);
  });

  it('affinity and top read each profile afresh when profiles and clocks alternate', () => {
    // Leaves share the decay factor and the strongest key between reads of one
    // decision: a different profile, landmark or clock must not get the last answer.
    const hiking = profile({
      landmark: NOW - 3 * DAY,
      affinities: { 'category:hiking': { 'node-1': 4 }, 'category:running': { 'node-1': 1 } },
    });
    const interested = compileRule({ affinity: 'category:running', gte: 2 } as Rule);
    const topRunning = compileRule({ top: 'category', in: ['running'] } as Rule);
    const topHiking = compileRule({ top: 'category', in: ['Hiking'] } as Rule);
    for (let round = 0; round < 2; round++) {
      expect(interested(input())).toBe(true);
      expect(interested(input({ profile: hiking }))).toBe(false);
      expect(interested(input({ now: NOW + 3 * DAY }))).toBe(false);
      expect(topRunning(input())).toBe(true);
      expect(topHiking(input())).toBe(false);
      expect(topRunning(input({ profile: hiking }))).toBe(false);
      expect(topHiking(input({ profile: hiking }))).toBe(true);
    }
    // The same sum against a landmark one half-life earlier reads half as much.
    const earlier = profile({ landmark: NOW - 3 * DAY });
    for (let round = 0; round < 2; round++) {
      expect(interested(input())).toBe(true);
      expect(interested(input({ profile: earlier }))).toBe(false);
    }
  });

  it('in matches case-insensitively whatever the case or script of either side', () => {
    const rule = compileRule({ context: 'country', in: ['de', 'AT', 'Ärmelkanal', 42] } as Rule);
    expect(rule(input({ ctx: ctx({ country: 'de' }) }))).toBe(true);
    expect(rule(input({ ctx: ctx({ country: 'DE' }) }))).toBe(true);
    expect(rule(input({ ctx: ctx({ country: 'at' }) }))).toBe(true);
    expect(rule(input({ ctx: ctx({ country: 'äRMELKANAL' }) }))).toBe(true);
    expect(rule(input({ ctx: ctx({ country: 'ärmelkanal' }) }))).toBe(true);
    expect(rule(input({ ctx: ctx({ country: '42' }) }))).toBe(true);
    expect(rule(input({ ctx: ctx({ country: 'ch' }) }))).toBe(false);
    expect(rule(input({ ctx: ctx({ country: 'd' }) }))).toBe(false);
    const hour = compileRule({ context: 'localHour', in: [42, 'x'] } as Rule);
    expect(hour(input({ ctx: ctx({ localHour: 42 }) }))).toBe(true);
    expect(hour(input({ ctx: ctx({ localHour: 4 }) }))).toBe(false);
  });

  it('count counts events of a type inside the window', () => {
    expect(holds({ count: 'view', within: '7d', eq: 2 })).toBe(true);
    expect(holds({ count: 'view', within: '30d', gte: 3 })).toBe(true);
    expect(holds({ count: 'view', within: '1h', gte: 1 })).toBe(true);
    expect(holds({ count: 'view', within: '59m' })).toBe(false);
    expect(holds({ count: 'view', within: DAY, gte: 2 })).toBe(false);
    expect(holds({ count: 'purchase', within: '7d' })).toBe(false);
  });

  it('count with a category counts only items of that category', () => {
    expect(holds({ count: 'view', within: '30d', category: 'running', eq: 2 })).toBe(true);
    expect(holds({ count: 'view', within: '7d', category: 'running', eq: 1 })).toBe(true);
    expect(holds({ count: 'view', within: '30d', category: 'hiking', gte: 2 })).toBe(false);
  });

  it('count with a category matches nothing without a catalog lookup', () => {
    const noCatalog = input();
    delete noCatalog.itemCategory;
    expect(compileRule({ count: 'view', within: '30d', category: 'running' })(noCatalog)).toBe(false);
  });

  it('recency holds when the newest event of the type is inside the window', () => {
    expect(holds({ recency: 'purchase', within: '30d' })).toBe(true);
    expect(holds({ recency: 'purchase', within: '14d' })).toBe(false);
    expect(holds({ recency: 'add_to_cart', within: '365d' })).toBe(false);
  });

  it('consent reads the profile consent register', () => {
    expect(holds({ consent: 'personalization' })).toBe(true);
    expect(holds({ consent: 'analytics' })).toBe(false);
  });

  it('every profile leaf is false without a profile', () => {
    const rules: unknown[] = [
      { trait: 'shoe_size', gte: 1 },
      { affinity: 'category:running', gte: 0 },
      { top: 'category' },
      { count: 'view', within: '30d', gte: 0 },
      { recency: 'view', within: '30d' },
      { consent: 'personalization' },
    ];
    for (const rule of rules) expect(holds(rule, { profile: undefined })).toBe(false);
  });
});

describe('segment references and combinators', () => {
  it('segment reads the segments already known', () => {
    expect(holds({ segment: 'vip' })).toBe(true);
    expect(holds({ segment: 'runners' })).toBe(false);
  });

  it('nests all, any and not', () => {
    const rule = {
      all: [
        {
          any: [
            { context: 'country', eq: 'AT' },
            { context: 'utm.source', eq: 'newsletter' },
          ],
        },
        { not: { segment: 'blocked' } },
        { not: { not: { top: 'category', eq: 'running' } } },
      ],
    };
    expect(holds(rule)).toBe(true);
    expect(holds(rule, { segments: new Set(['blocked']) })).toBe(false);
    expect(holds(rule, { ctx: ctx({ utm: {} }) })).toBe(false);
  });

  it('all of nothing holds and any of nothing does not', () => {
    expect(holds({ all: [] })).toBe(true);
    expect(holds({ any: [] })).toBe(false);
  });

  it('reports what a rule reads and which segments it names', () => {
    const rule = compileRule({
      any: [
        { segment: 'a' },
        { all: [{ segment: 'b' }, { segment: 'a' }, { context: 'country', eq: 'DE' }] },
      ],
    });
    expect(rule.refs).toEqual(['a', 'b']);
    expect(rule.usesContext).toBe(true);
    expect(rule.usesProfile).toBe(false);
    expect(rule.usesClock).toBe(false);
    const profileRule = compileRule({ not: { count: 'view', within: '1d' } });
    expect([profileRule.usesContext, profileRule.usesProfile, profileRule.usesClock]).toEqual([
      false,
      true,
      true,
    ]);
    expect(compileRule({ trait: 'x' }).usesClock).toBe(false);
  });
});

describe('compile errors', () => {
  const fails = (rule: unknown, path: string | undefined, message: RegExp): void => {
    let error: unknown;
    try {
      compileRule(rule as Rule, path);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ name: 'TesseraError', status: 400 });
    expect((error as Error).message).toMatch(message);
  };

  it('names the JSON path of the offending rule', () => {
    fails(
      { all: [{ context: 'country', eq: 'DE' }, { wat: 1 }] },
      'segments[2].rule',
      /^\[tessera\] \[rules\] segments\[2\]\.rule\.all\[1\]: unknown rule shape/,
    );
    fails(
      { any: [{ not: { context: 'nope' } }] },
      undefined,
      /rule\.any\[0\]\.not\.context: unknown context field "nope"/,
    );
  });

  it('rejects unknown operators and a second kind in one rule', () => {
    fails({ context: 'country', equals: 'DE' }, 'r', /r\.equals: unknown operator "equals"/);
    fails(
      { context: 'country', segment: 'x' },
      'r',
      /r: a rule has exactly one kind, found context and segment/,
    );
    fails({ recency: 'view', within: '1d', gte: 1 }, 'r', /r\.gte: unknown operator/);
  });

  it('rejects bad durations, event types, affinity keys and kinds', () => {
    fails({ count: 'view', within: '7 days' }, 'r', /r\.within: bad duration "7 days"/);
    fails({ count: 'view', within: -1 }, 'r', /r\.within: bad duration/);
    fails({ recency: 'view' }, 'r', /r\.within: bad duration undefined/);
    fails({ count: 'veiw', within: '1d' }, 'r', /r\.count: event type "veiw" is not kept in recent items/);
    fails(
      { recency: 'search', within: '1d' },
      'r',
      /r\.recency: event type "search" is not kept in recent items/,
    );
    fails({ affinity: 'running', gte: 1 }, 'r', /r\.affinity: bad affinity key "running"/);
    fails({ affinity: 'colour:red' }, 'r', /bad affinity key/);
    fails({ top: 'colour' }, 'r', /r\.top: unknown affinity kind "colour"/);
    fails({ consent: 'marketing' }, 'r', /r\.consent: unknown consent "marketing"/);
  });

  it('rejects badly typed operands with their path', () => {
    fails({ trait: 'age', gte: '18' }, 'r', /r\.gte: expected a finite number/);
    fails({ trait: 'age', in: 'a' }, 'r', /r\.in: expected an array/);
    fails({ trait: 'age', in: ['a', {}] }, 'r', /r\.in\[1\]: expected a string or number/);
    fails({ trait: 'age', eq: null }, 'r', /r\.eq: expected a string, number or boolean/);
    fails({ trait: '' }, 'r', /r\.trait: expected a trait name/);
  });

  it('rejects non-objects and non-array lists', () => {
    fails(null, 'r', /r: expected a rule object, got null/);
    fails([], 'r', /r: expected a rule object, got an array/);
    fails({ all: { segment: 'a' } }, 'r', /r\.all: expected an array of rules/);
    fails({ not: 'x' }, 'r', /r\.not: expected a rule object/);
  });
});
