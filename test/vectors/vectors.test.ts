/**
 * The language-neutral vectors, run in Node: every case of rules.json,
 * variant-keys.json and profile-merges.json must give its `expect`. The same
 * runner runs them inside workerd (test/workerd/vectors.test.ts).
 */
import { describe, expect, it } from 'vitest';
import merges from './profile-merges.json' with { type: 'json' };
import rules from './rules.json' with { type: 'json' };
import {
  type MergesFile,
  type RulesFile,
  runProfileMerges,
  runRules,
  runVariantKeys,
  type VariantKeysFile,
} from './runner.js';
import variantKeys from './variant-keys.json' with { type: 'json' };

const rulesFile = rules as unknown as RulesFile;
const mergesFile = merges as unknown as MergesFile;
const keysFile = variantKeys as VariantKeysFile;

describe('rules.json', () => {
  const observed = runRules(rulesFile);
  it.each(rulesFile.cases.map((c, i) => [c.name, i] as const))('%s', (_name, i) => {
    expect(observed[i]).toEqual(rulesFile.cases[i]!.expect);
  });

  it('covers every rule kind, every comparison and compile errors', () => {
    const text = JSON.stringify(rulesFile.cases.map((c) => c.segments));
    for (const key of [
      'all',
      'any',
      'not',
      'context',
      'trait',
      'affinity',
      'top',
      'count',
      'recency',
      'segment',
      'consent',
    ])
      expect(text).toContain(`"${key}":`);
    for (const op of ['eq', 'neq', 'in', 'gt', 'gte', 'lt', 'lte']) expect(text).toContain(`"${op}":`);
    expect(rulesFile.cases.filter((c) => c.expect && 'error' in c.expect).length).toBeGreaterThanOrEqual(10);
  });
});

describe('variant-keys.json', () => {
  const observed = runVariantKeys(keysFile);
  it.each(keysFile.cases.map((c, i) => [c.name, i] as const))('%s', (_name, i) => {
    expect(observed[i]).toBe(keysFile.cases[i]!.expect);
  });
});

describe('profile-merges.json', () => {
  const observed = runProfileMerges(mergesFile);
  it.each(mergesFile.cases.map((c, i) => [c.name, i] as const))('%s, in every merge order', (_name, i) => {
    expect(observed[i]).toEqual({ reads: mergesFile.cases[i]!.expect, differingOrders: [] });
  });
});
