import { describe, expect, it } from 'vitest';
import type { ExperimentDef } from '../config.js';
import { emptyProfile } from '../profile/index.js';
import type { RuleInput } from '../segments/compile.js';
import type { DecisionContext, Profile } from '../types.js';
import { armTrait, assignArms, HOLDOUT_ARM, stickyArm } from './assign.js';

const ctx: DecisionContext = {
  method: 'GET',
  path: '/',
  cookies: {},
  device: 'desktop',
  localHour: 12,
  utm: {},
  gpc: false,
  dnt: false,
  now: 0,
};
const rules = (segments: string[] = []): RuleInput => ({
  ctx,
  profile: undefined,
  segments: new Set(segments),
  now: 0,
  halfLifeMs: 1,
});
const ids = (n: number) => Array.from({ length: n }, (_, i) => `visitor-${i}`);

function withTrait(key: string, arm: string): Profile {
  const p = emptyProfile(0);
  p.traits[armTrait(key)] = { v: arm, at: { p: 1, l: 0, n: 'n' } };
  return p;
}

const ab: ExperimentDef = {
  key: 'ab',
  variants: [
    { key: 'a', strategy: 'popular' },
    { key: 'b', strategy: 'personalized', content: { hero: 'hero-b' } },
  ],
};

const run = (
  experiments: ExperimentDef[],
  visitorId: string | undefined,
  profile?: Profile,
  segments: string[] = [],
) => assignArms({ experiments, visitorId, rules: rules(segments), profile, segments });

describe('assignArms', () => {
  it('records an exposure only for a first assignment, and applies the arm’s content and strategy', () => {
    const first = run([ab], 'v1');
    const arm = first.arms.ab!;
    expect(first.exposures).toEqual([{ experiment: 'ab', arm, segment: '*' }]);
    expect(first.strategy).toBe(arm === 'a' ? 'popular' : 'personalized');
    const again = run([ab], 'v1', withTrait('ab', arm));
    expect(again.arms.ab).toBe(arm);
    expect(again.exposures).toEqual([]);
  });

  it('keeps the stored arm when the config is reweighted (sticky across config changes)', () => {
    const allB: ExperimentDef = { ...ab, variants: [{ key: 'a', weight: 0 }, { key: 'b' }] };
    expect(run([allB], 'v1', withTrait('ab', 'a')).arms.ab).toBe('a');
    // Without the trait the new weights decide.
    expect(run([allB], 'v1').arms.ab).toBe('b');
  });

  it('keeps the arm under another visitor id once profiles merged (identify on a new device)', () => {
    const arm = run([ab], 'anon-device-1').arms.ab!;
    const other = ids(200).find((id) => run([ab], id).arms.ab !== arm)!;
    expect(run([ab], other, withTrait('ab', arm)).arms.ab).toBe(arm);
  });

  it('falls back to the hash when the stored arm no longer exists', () => {
    const r = run([ab], 'v1', withTrait('ab', 'gone'));
    expect(['a', 'b']).toContain(r.arms.ab);
    expect(r.exposures).toHaveLength(1);
  });

  it('holds out about the configured share on the site defaults', () => {
    const exp: ExperimentDef = { ...ab, key: 'ho', holdout: 0.1 };
    let held = 0;
    for (const id of ids(5000)) {
      const r = run([exp], id);
      if (r.arms.ho === HOLDOUT_ARM) {
        held++;
        expect(r.strategy).toBeUndefined();
        expect(r.content).toEqual({});
      }
    }
    expect(Math.abs(held / 5000 - 0.1)).toBeLessThan(0.02);
  });

  it('assigns nobody while paused and everybody the promoted variant, without exposures', () => {
    expect(run([{ ...ab, status: 'paused' }], 'v1').arms).toEqual({});
    const promoted = run([{ ...ab, promoted: 'b' }], undefined);
    expect(promoted.arms.ab).toBe('b');
    expect(promoted.content.hero).toBe('hero-b');
    expect(promoted.exposures).toEqual([]);
  });

  it('replaces a content slot’s rules for an arm', () => {
    const exp: ExperimentDef = {
      key: 'rules',
      variants: [
        {
          key: 'only',
          slots: { hero: { rules: [{ when: { segment: 'runners' }, content: 'x' }], default: 'y' } },
        },
      ],
    };
    const r = run([exp], 'v1', undefined, ['runners']);
    expect(r.slotRules.hero?.chooseContent('hero', rules(['runners']))?.content).toBe('x');
    expect(r.slotRules.hero?.chooseContent('hero', rules([]))?.content).toBe('y');
  });

  it('asks the bandit for thompson experiments, with the visitor’s first segment', () => {
    const exp: ExperimentDef = {
      key: 'bandit',
      allocation: 'thompson',
      variants: [{ key: 'x' }, { key: 'y' }],
    };
    const seen: string[] = [];
    const r = assignArms({
      experiments: [exp],
      visitorId: 'v',
      rules: rules(['runners']),
      profile: undefined,
      segments: ['runners', 'mobile'],
      bandit: (_e, segment) => {
        seen.push(segment);
        return 'y';
      },
    });
    expect(r.arms.bandit).toBe('y');
    expect(seen).toEqual(['runners']);
  });

  it('reads the sticky trait', () => {
    expect(stickyArm(withTrait('k', 'b'), 'k')).toBe('b');
    expect(stickyArm(undefined, 'k')).toBeUndefined();
  });

  it('makes the same assignment without trace lines when the caller does not trace', () => {
    for (const visitor of ids(20)) {
      const sticky = visitor.endsWith('3') ? withTrait('ab', 'b') : undefined;
      const traced = run([ab], visitor, sticky);
      const quiet = assignArms({
        experiments: [ab],
        visitorId: visitor,
        rules: rules(),
        profile: sticky,
        segments: [],
        trace: false,
      });
      expect(quiet.trace).toEqual([]);
      expect(traced.trace.length).toBe(1);
      expect({ ...quiet, trace: traced.trace }).toEqual(traced);
    }
    expect(stickyArm(withTrait('ab', 'b'), 'ab')).toBe('b');
    expect(stickyArm(withTrait('ab', 'b'), 'other')).toBeUndefined();
    expect(stickyArm(undefined, 'ab')).toBeUndefined();
  });
});
