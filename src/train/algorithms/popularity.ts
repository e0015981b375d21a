/**
 * The honest baseline: every user gets the items most users interacted with
 * (distinct users per item, so one heavy user cannot make an item popular).
 * @module
 */
import type { Interactions, TopKModel, Tunable } from '../model-types.js';

export class PopularityModel implements TopKModel {
  readonly name = 'popularity';
  readonly params = {};
  private counts = new Float32Array(0);

  fit(train: Interactions): void {
    const counts = new Float32Array(train.itemIds.length);
    for (let e = 0; e < train.col.length; e++) counts[train.col[e]!]!++;
    this.counts = counts;
  }

  score(_u: number, out: Float32Array): void {
    out.set(this.counts);
  }
}

export const popularity: Tunable<TopKModel> = {
  name: 'popularity',
  grid: [{}],
  make: () => new PopularityModel(),
};
