import { describe, expect, it } from 'vitest';
import type { TopKModel, Tunable } from '../model-types.js';
import { BlendModel, searchWeights, selectBlend } from './blend.js';
import { ease } from './ease.js';
import { itemKnn } from './item-knn.js';
import { popularity } from './popularity.js';
import { clusteredInteractions } from './synthetic.js';
import { ndcgAtK, splitTopKValidation } from './validation.js';

const data = clusteredInteractions({ users: 300, items: 150, clusters: 5, perUser: 15, seed: 21 });
const small = (t: Tunable<TopKModel>, grid: Tunable<TopKModel>['grid']): Tunable<TopKModel> => ({
  ...t,
  grid,
});
const components = {
  ease: small(ease, [{ lambda: 50 }, { lambda: 250 }]),
  itemknn: small(itemKnn, [{ neighbourhood: 50, alpha: 0.5, shrink: 10, halfLifeDays: 0 }]),
  popularity,
};

describe('validation-chosen blend', () => {
  it('chooses the same weights for the same training data, starting from the best single component', () => {
    const test = splitTopKValidation(data, 0.25, 7);
    const a = selectBlend(components, test.fit, {
      k: 10,
      seed: 1,
      validationRatio: 0.25,
      maxUsers: 500,
      pool: 30,
    });
    const b = selectBlend(components, test.fit, {
      k: 10,
      seed: 1,
      validationRatio: 0.25,
      maxUsers: 500,
      pool: 30,
    });
    expect(b).toEqual(a);
    expect(a.components.map((c) => c.name)).toEqual(['ease', 'itemknn', 'popularity']);
    // The blend is at least as good as its best single component on validation (the search starts there).
    const bestSingle = Math.max(...a.components.map((c) => c.validation));
    expect(a.validation).toBeGreaterThanOrEqual(bestSingle - 0.02);
  });

  it('scores at least as well as EASE alone on a test split it never saw', () => {
    const test = splitTopKValidation(data, 0.25, 7);
    const blend = new BlendModel(components, { seed: 1, maxUsers: 500, pool: 30 });
    blend.fit(test.fit);
    const alone = ease.make({ lambda: Number(blend.selection!.components[0]!.params.lambda) });
    alone.fit(test.fit);
    expect(ndcgAtK(blend, test, 10)).toBeGreaterThanOrEqual(ndcgAtK(alone, test, 10) - 0.01);
    expect(blend.params.ease).toBeGreaterThan(0);
    expect(blend.neighbours(5)).toHaveLength(150);
  });

  it('weight search keeps a useless component at weight 0 and adds a useful one', () => {
    // Two users, candidates 0..3; component 0 ranks item 0 first, component 1 ranks item 1 first; only 1 is relevant.
    const cands = {
      items: [Int32Array.from([0, 1, 2, 3])],
      z: [Float32Array.from([2, 1, 0, -1, /* component 1 */ 0, 3, 0, 0, /* component 2 */ 0, -5, 0, 0])],
      relevant: [new Set([1])],
    };
    const r = searchWeights(cands, [0.5, 0.4, 0.1], 1);
    expect(r.weights[0]).toBe(1);
    expect(r.weights[1]).toBeGreaterThan(1 / 3);
    expect(r.weights[2]).toBe(0);
    expect(r.validation).toBe(1);
  });
});
