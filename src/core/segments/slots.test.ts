import { describe, expect, it } from 'vitest';
import type { SlotDef } from '../config.js';
import type { DecisionContext } from '../types.js';
import type { RuleInput } from './compile.js';
import { compileSlots } from './slots.js';

const NOW = 1_750_000_000_000;

function input(country: string, segments: string[] = []): RuleInput {
  const ctx: DecisionContext = {
    method: 'GET',
    path: '/',
    cookies: {},
    device: 'desktop',
    country,
    localHour: 12,
    utm: { source: 'ads' },
    gpc: false,
    dnt: false,
    now: NOW,
  };
  return { ctx, profile: undefined, segments: new Set(segments), now: NOW, halfLifeMs: 1 };
}

const SLOTS: Record<string, SlotDef> = {
  hero: {
    kind: 'content',
    rules: [
      { when: { segment: 'runners' }, content: 'hero-running' },
      { when: { context: 'country', eq: 'DE' }, content: 'hero-de' },
      { when: { any: [{ segment: 'runners' }, { context: 'utm.source', eq: 'ADS' }] }, content: 'hero-ads' },
    ],
    default: 'hero-default',
  },
  'footer-banner': { kind: 'content', rules: [], default: 'footer' },
  recs: { kind: 'recommendations', count: 4 },
};

describe('compileSlots', () => {
  const slots = compileSlots(SLOTS);

  it('the first matching rule wins, in rule order', () => {
    expect(slots.chooseContent('hero', input('DE', ['runners']))).toEqual({
      content: 'hero-running',
      rule: 0,
    });
    expect(slots.chooseContent('hero', input('de'))).toEqual({ content: 'hero-de', rule: 1 });
    expect(slots.chooseContent('hero', input('FR'))).toEqual({ content: 'hero-ads', rule: 2 });
  });

  it('falls back to the default with rule -1', () => {
    const noUtm = input('FR');
    noUtm.ctx.utm = {};
    expect(slots.chooseContent('hero', noUtm)).toEqual({ content: 'hero-default', rule: -1 });
    expect(slots.chooseContent('footer-banner', input('DE'))).toEqual({ content: 'footer', rule: -1 });
  });

  it('answers undefined for recommendation and unknown slots', () => {
    expect(slots.chooseContent('recs', input('DE'))).toBeUndefined();
    expect(slots.chooseContent('nope', input('DE'))).toBeUndefined();
  });

  it('lists content slots with what their rules read', () => {
    expect(slots.contentSlots).toEqual([
      { name: 'hero', usesContext: true, usesProfile: false, refs: ['runners'] },
      { name: 'footer-banner', usesContext: false, usesProfile: false, refs: [] },
    ]);
  });

  it('reports a bad rule with the slot path', () => {
    const bad: Record<string, SlotDef> = {
      'side-bar': {
        kind: 'content',
        rules: [{ when: { context: 'country', like: 'D' } as never, content: 'x' }],
        default: 'y',
      },
    };
    expect(() => compileSlots(bad)).toThrow(
      /slots\["side-bar"\]\.rules\[0\]\.when\.like: unknown operator "like"/,
    );
  });
});
