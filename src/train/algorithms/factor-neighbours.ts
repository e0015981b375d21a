/**
 * Item-item neighbours from latent factors (ALS, BPR): cosine of the item
 * vectors, top k per item. Factor models have no item-item matrix of their
 * own, yet the edge artifact is built from neighbour lists, so this is how
 * they fill it. Cost is n² · dim over the catalog, like EASE's n × n matrix.
 * @module
 */
import { TopK } from '../top-k.js';

/** Per item, its `k` most similar items by cosine (positive similarities only), best first. */
export function factorNeighbours(
  factors: ArrayLike<number>,
  n: number,
  dim: number,
  k: number,
): Array<Array<[number, number]>> {
  const unit = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let a = 0; a < dim; a++) s += factors[i * dim + a]! * factors[i * dim + a]!;
    // A zero vector (an item nobody touched) has no direction, hence no neighbours.
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let a = 0; a < dim; a++) unit[i * dim + a] = factors[i * dim + a]! * inv;
  }
  const top = new TopK(Math.min(k, Math.max(0, n - 1)));
  const out: Array<Array<[number, number]>> = new Array(n);
  for (let i = 0; i < n; i++) {
    top.reset();
    const oi = i * dim;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const oj = j * dim;
      let c = 0;
      for (let a = 0; a < dim; a++) c += unit[oi + a]! * unit[oj + a]!;
      if (c > 0) top.push(j, c);
    }
    out[i] = top.result();
  }
  return out;
}
