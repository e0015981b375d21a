import { GrowthBook } from '@growthbook/growthbook';
import { describe, expect, it } from 'vitest';
import vectors from '../../../test/vectors/bucketing.json' with { type: 'json' };
import type { ExperimentDef } from '../config.js';
import type { RuleInput } from '../segments/compile.js';
import type { DecisionContext } from '../types.js';
import {
  armBounds,
  assignArm,
  compileExperiment,
  fnv1a32,
  hashUnit,
  holdoutSeed,
  trafficSeed,
} from './bucket.js';

function input(country = 'DE'): RuleInput {
  const ctx: DecisionContext = {
    method: 'GET',
    path: '/',
    cookies: {},
    device: 'desktop',
    country,
    localHour: 12,
    utm: {},
    gpc: false,
    dnt: false,
    now: 0,
  };
  return { ctx, profile: undefined, segments: new Set(), now: 0, halfLifeMs: 1 };
}

const ids = (n: number, prefix = 'v'): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix}-${i}-${i * 7919}`);

describe('language-neutral vectors (test/vectors/bucketing.json)', () => {
  it('fnv1a32 matches every vector', () => {
    for (const v of vectors.fnv1a32) expect(fnv1a32(v.input), v.input).toBe(v.hash);
  });

  it('hashUnit matches every vector', () => {
    for (const v of vectors.hashUnit) expect(hashUnit(v.seed, v.id), `${v.seed}|${v.id}`).toBe(v.unit);
  });

  it('assignArm matches every experiment vector', () => {
    for (const e of vectors.experiments) {
      const def = e.def as ExperimentDef;
      for (const c of e.cases)
        expect(assignArm(def, c.id, input()) ?? null, `${def.key}|${c.id}`).toBe(c.arm);
    }
  });
});

describe('hashing', () => {
  it('agrees with the GrowthBook SDK hash v2 for the same seed and id', () => {
    for (const id of ids(50)) {
      const gb = new GrowthBook({ attributes: { id } });
      const result = gb.run({ key: 'exp', variations: [0, 1], seed: 'my-seed', hashVersion: 2 });
      expect(result.bucket, id).toBe(hashUnit('my-seed', id));
      gb.destroy();
    }
  });

  it('equals the GrowthBook v2 formula on seed + id for ids of any script and hashes of any length', () => {
    const reference = (seed: string, id: string) => (fnv1a32(String(fnv1a32(seed + id))) % 10000) / 10000;
    for (const seed of ['', 'checkout', 'ab:traffic', 'ümlaut☃']) {
      for (const id of [...ids(5_000), '', 'é', '☃-visitor', '\u{1F600}x']) {
        expect(hashUnit(seed, id), `${seed}|${id}`).toBe(reference(seed, id));
      }
    }
  });

  it('draws traffic and holdout from their own seeds', () => {
    const compiled = compileExperiment({ key: 'exp', variants: [{ key: 'a' }, { key: 'b' }] });
    for (const id of ids(2_000)) {
      expect(compiled.trafficUnit(id), id).toBe(hashUnit(trafficSeed('exp'), id));
      expect(compiled.holdoutUnit(id), id).toBe(hashUnit(holdoutSeed('exp'), id));
    }
  });

  it('stays in [0, 1)', () => {
    for (const id of ids(2000)) {
      const u = hashUnit('s', id);
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
    }
  });
});

describe('assignArm', () => {
  it('splits 10,000 visitors over two equal arms within ±3%', () => {
    const exp: ExperimentDef = { key: 'uniform', variants: [{ key: 'a' }, { key: 'b' }] };
    let a = 0;
    for (const id of ids(10_000)) if (assignArm(exp, id, input()) === 'a') a++;
    expect(Math.abs(a / 10_000 - 0.5)).toBeLessThan(0.03);
  });

  it('follows weights and never picks a zero-weight arm', () => {
    const exp: ExperimentDef = {
      key: 'weighted',
      variants: [
        { key: 'a', weight: 2 },
        { key: 'off', weight: 0 },
        { key: 'b', weight: 6 },
      ],
    };
    const counts: Record<string, number> = {};
    for (const id of ids(10_000)) {
      const arm = assignArm(exp, id, input())!;
      counts[arm] = (counts[arm] ?? 0) + 1;
    }
    expect(counts.off).toBeUndefined();
    expect(Math.abs((counts.a ?? 0) / 10_000 - 0.25)).toBeLessThan(0.03);
  });

  it('admits about the traffic share and keeps arms when traffic grows', () => {
    const small: ExperimentDef = { key: 'ramp', traffic: 0.2, variants: [{ key: 'a' }, { key: 'b' }] };
    const large: ExperimentDef = { ...small, traffic: 0.6 };
    let inSmall = 0;
    for (const id of ids(10_000)) {
      const armSmall = assignArm(small, id, input());
      if (armSmall === undefined) continue;
      inSmall++;
      expect(assignArm(large, id, input())).toBe(armSmall);
    }
    expect(Math.abs(inSmall / 10_000 - 0.2)).toBeLessThan(0.03);
  });

  it('is deterministic and independent between experiments', () => {
    const one: ExperimentDef = { key: 'one', variants: [{ key: 'a' }, { key: 'b' }] };
    const two: ExperimentDef = { key: 'two', variants: [{ key: 'a' }, { key: 'b' }] };
    let same = 0;
    for (const id of ids(4000)) {
      const arm = assignArm(one, id, input());
      expect(assignArm(one, id, input())).toBe(arm);
      if (assignArm(two, id, input()) === arm) same++;
    }
    // Independent draws agree about half the time; a shared hash would agree always.
    expect(Math.abs(same / 4000 - 0.5)).toBeLessThan(0.05);
  });

  it('gives no arm to visitors outside the targeting rule or with zero traffic', () => {
    const exp: ExperimentDef = {
      key: 'dach',
      targeting: { context: 'country', in: ['DE', 'AT', 'CH'] },
      variants: [{ key: 'only' }],
    };
    expect(assignArm(exp, 'v1', input('at'))).toBe('only');
    expect(assignArm(exp, 'v1', input('FR'))).toBeUndefined();
    const off: ExperimentDef = { key: 'off', traffic: 0, variants: [{ key: 'a' }] };
    expect(ids(200).some((id) => assignArm(off, id, input()) !== undefined)).toBe(false);
  });
});

describe('compileExperiment validation', () => {
  it('normalises weights into cumulative bounds ending at 1', () => {
    const bounds = armBounds({
      key: 'k',
      variants: [
        { key: 'a', weight: 1 },
        { key: 'b', weight: 3 },
      ],
    });
    expect(bounds).toEqual([0.25, 1]);
    expect(armBounds({ key: 'k', variants: [{ key: 'a' }, { key: 'b', weight: 0 }] })).toEqual([1, 1]);
  });

  it('rejects bad traffic, weights, variants and targeting with paths', () => {
    const bad = (exp: unknown, re: RegExp): void =>
      expect(() => compileExperiment(exp as ExperimentDef, 'experiments[1]')).toThrow(re);
    bad({ key: 'k', traffic: 1.5, variants: [{ key: 'a' }] }, /\[experiments\] experiments\[1\]\.traffic/);
    bad({ key: 'k', variants: [] }, /experiments\[1\]\.variants: expected at least one variant/);
    bad({ key: 'k', variants: [{ key: 'a', weight: -1 }] }, /experiments\[1\]\.variants\[0\]\.weight/);
    bad({ key: 'k', variants: [{ key: 'a', weight: 0 }] }, /weights sum to 0/);
    bad({ key: '', variants: [{ key: 'a' }] }, /experiments\[1\]\.key/);
    bad(
      { key: 'k', targeting: { any: [{ context: 'moon' }] }, variants: [{ key: 'a' }] },
      /\[rules\] experiments\[1\]\.targeting\.any\[0\]\.context: unknown context field/,
    );
  });
});
