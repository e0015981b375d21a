import { describe, expect, it } from 'vitest';
import type { SegmentDef } from '../config.js';
import type { DecisionContext, Profile } from '../types.js';
import { compileSegments, type SegmentInput } from './evaluate.js';

const NOW = 1_750_000_000_000;

const ctx = (country: string): DecisionContext => ({
  method: 'GET',
  path: '/',
  cookies: {},
  device: 'desktop',
  country,
  localHour: 12,
  utm: {},
  gpc: false,
  dnt: false,
  now: NOW,
});

const profile = (views: number, size?: number): Profile => ({
  v: 1,
  landmark: NOW,
  affinities: {},
  counts: {},
  recent: Array.from({ length: views }, (_, i) => ({
    item: `sku-${i}`,
    type: 'view' as const,
    at: { p: NOW - i * 1000, l: 0, n: 'node-1' },
  })),
  traits: size === undefined ? {} : { size: { v: size, at: { p: NOW, l: 0, n: 'node-1' } } },
  exposures: {},
  suppressions: {},
  seen: [],
});

const input = (country: string, p: Profile | undefined): SegmentInput => ({
  ctx: ctx(country),
  profile: p,
  now: NOW,
  halfLifeMs: 86_400_000,
});

// Defined with references pointing forward, so definition order is not evaluation order.
const DEFS: SegmentDef[] = [
  { id: 'german-browsers', rule: { all: [{ segment: 'browsers' }, { segment: 'german' }] } },
  { id: 'browsers', rule: { count: 'view', within: '1d', gte: 3 } },
  { id: 'german', rule: { context: 'country', in: ['DE', 'AT'] } },
  { id: 'big-feet', rule: { trait: 'size', gte: 45 } },
  { id: 'big-browsers', rule: { all: [{ segment: 'browsers' }, { segment: 'big-feet' }] } },
];

describe('compileSegments', () => {
  const evaluator = compileSegments(DEFS);

  it('resolves references in dependency order and answers in definition order', () => {
    expect(evaluator.evaluate(input('de', profile(5, 46)))).toEqual([
      'german-browsers',
      'browsers',
      'german',
      'big-feet',
      'big-browsers',
    ]);
    expect(evaluator.evaluate(input('fr', profile(5, 40)))).toEqual(['browsers']);
    expect(evaluator.evaluate(input('at', profile(1, 46)))).toEqual(['german', 'big-feet']);
  });

  it('evaluates context segments without a profile', () => {
    expect(evaluator.evaluate(input('DE', undefined))).toEqual(['german']);
  });

  it('flags each segment by what it reads, following references', () => {
    const flags = Object.fromEntries(
      evaluator.segments.map((s) => [s.id, [s.usesContext, s.usesProfile, s.usesClock]]),
    );
    expect(flags).toEqual({
      'german-browsers': [true, true, true],
      browsers: [false, true, true],
      german: [true, false, false],
      'big-feet': [false, true, false],
      'big-browsers': [false, true, true],
    });
  });

  it('evaluates profile-only segments without a context', () => {
    const { ctx: _unused, ...rest } = input('de', profile(5, 46));
    expect(evaluator.evaluateProfileOnly(rest)).toEqual(['browsers', 'big-feet', 'big-browsers']);
  });

  it('takes profile-only memberships from a cached answer and evaluates the rest', () => {
    // The cache says "browsers" although this profile has no views: it must be believed,
    // and the context segments that depend on it must see it.
    const cached = ['browsers'];
    expect(evaluator.evaluate(input('de', profile(0)), cached)).toEqual([
      'german-browsers',
      'browsers',
      'german',
    ]);
  });

  it('answers each call on its own, with or without references', () => {
    const defs: SegmentDef[] = [
      { id: 'browser', rule: { count: 'view', within: '1d', gte: 2 } },
      { id: 'local', rule: { context: 'country', eq: 'DE' } },
      { id: 'local-browser', rule: { all: [{ segment: 'browser' }, { segment: 'local' }] } },
    ];
    const withRefs = compileSegments(defs);
    const plain = compileSegments(defs.slice(0, 2));
    for (let round = 0; round < 2; round++) {
      expect(withRefs.evaluate(input('DE', profile(3)))).toEqual(['browser', 'local', 'local-browser']);
      expect(withRefs.evaluate(input('FR', profile(3)))).toEqual(['browser']);
      expect(withRefs.evaluate(input('DE', profile(1)))).toEqual(['local']);
      expect(withRefs.evaluateProfileOnly({ profile: profile(3), now: NOW, halfLifeMs: 1 })).toEqual([
        'browser',
      ]);
      expect(plain.evaluate(input('DE', profile(3)))).toEqual(['browser', 'local']);
      expect(plain.evaluate(input('FR', undefined))).toEqual([]);
    }
  });

  it('rejects a cycle and names it', () => {
    const defs: SegmentDef[] = [
      { id: 'a', rule: { segment: 'b' } },
      { id: 'b', rule: { any: [{ segment: 'c' }] } },
      { id: 'c', rule: { not: { segment: 'a' } } },
    ];
    expect(() => compileSegments(defs)).toThrow(/\[tessera\] \[rules\] segments: cycle a → b → c → a/);
    expect(() => compileSegments([{ id: 'self', rule: { segment: 'self' } }])).toThrow(/cycle self → self/);
  });

  it('rejects unknown references and duplicate ids with their paths', () => {
    expect(() =>
      compileSegments([
        { id: 'a', rule: { context: 'country', eq: 'DE' } },
        { id: 'b', rule: { all: [{ segment: 'a' }, { segment: 'ghost' }] } },
      ]),
    ).toThrow(/segments\[1\]\.rule: unknown segment "ghost"/);
    expect(() =>
      compileSegments([
        { id: 'a', rule: { all: [] } },
        { id: 'a', rule: { all: [] } },
      ]),
    ).toThrow(/segments\[1\]\.id: duplicate segment id "a"/);
  });

  it('reports rule errors at the segment path', () => {
    expect(() =>
      compileSegments([{ id: 'a', rule: { all: [{ all: [] }, { context: 'planet' }] } as never }]),
    ).toThrow(/segments\[0\]\.rule\.all\[1\]\.context: unknown context field "planet"/);
  });
});
