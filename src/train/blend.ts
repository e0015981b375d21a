/**
 * Blends attribute and co-occurrence neighbours per item:
 *
 *   score = α · cooc + (1 − α) · attr,   α = n / (n + BLEND_PRIOR)
 *
 * where n is the item's co-occurrence observations. A new shop (n = 0) gets
 * pure attribute neighbours; as evidence grows, behaviour takes over, item by
 * item, so a best-seller is led by data while a new arrival still has
 * sensible neighbours.
 * @module
 */
import { TopK } from './top-k.js';

export const BLEND_PRIOR = 200;

export function blendNeighbours(
  attr: ReadonlyArray<ReadonlyArray<[number, number]>>,
  cooc: ReadonlyArray<ReadonlyArray<[number, number]>>,
  observations: Uint32Array,
  k: number,
): { neighbours: Array<Array<[number, number]>>; meanAlpha: number } {
  const n = attr.length;
  const attrScore = new Float64Array(n);
  const coocScore = new Float64Array(n);
  const stamp = new Int32Array(n).fill(-1);
  const touched: number[] = [];
  const top = new TopK(k);
  const neighbours: Array<Array<[number, number]>> = new Array(n);
  let alphaSum = 0;
  for (let i = 0; i < n; i++) {
    const obs = observations[i] ?? 0;
    const alpha = obs / (obs + BLEND_PRIOR);
    alphaSum += alpha;
    touched.length = 0;
    const touch = (j: number) => {
      if (stamp[j] === i) return;
      stamp[j] = i;
      attrScore[j] = 0;
      coocScore[j] = 0;
      touched.push(j);
    };
    for (const [j, s] of attr[i]!) {
      touch(j);
      attrScore[j] = s;
    }
    for (const [j, s] of cooc[i] ?? []) {
      touch(j);
      coocScore[j] = s;
    }
    top.reset();
    // `touched` keeps attribute order first, which is the tie breaker the attribute lists chose.
    touched.forEach((j, rank) => {
      top.push(j, alpha * coocScore[j]! + (1 - alpha) * attrScore[j]!, rank);
    });
    neighbours[i] = top.result();
  }
  return { neighbours, meanAlpha: n === 0 ? 0 : alphaSum / n };
}
