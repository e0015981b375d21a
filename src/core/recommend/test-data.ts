/**
 * Generated artifacts for tests and benchmarks: neighbour rows made directly
 * (no training), with scores that fall off like real similarity scores, so
 * a 1M-item artifact builds in seconds.
 * @module
 */
import type { DenseNeighbours, ModelData } from './artifact-format.js';

/** A small deterministic PRNG (mulberry32), so generated data is the same every run. */
export function seeded(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * K neighbours per item, best first, never the item itself. Neighbours lean
 * towards nearby indices (items of a category sit together), scores decay
 * with rank plus noise, as similarity scores do.
 */
export function denseNeighbours(n: number, k: number, seed = 1): DenseNeighbours {
  const random = seeded(seed);
  const ids = new Int32Array(n * k);
  const scores = new Float32Array(n * k);
  const picked = new Set<number>();
  for (let i = 0; i < n; i++) {
    picked.clear();
    let s = 0.5 + 0.5 * random();
    for (let j = 0; j < k; j++) {
      let to: number;
      do {
        const near = random() < 0.7;
        to = near ? (i + 1 + Math.floor(random() * 200)) % n : Math.floor(random() * n);
      } while (to === i || picked.has(to));
      picked.add(to);
      ids[i * k + j] = to;
      scores[i * k + j] = s;
      s *= 0.85 + 0.14 * random();
    }
  }
  return { ids, scores };
}

/** A catalog of `n` items in `categories` contiguous categories, with K generated neighbours. */
export function generatedModel(n: number, k: number, over: Partial<ModelData> = {}): ModelData {
  const categories = Math.max(1, Math.min(500, Math.floor(n / 200)));
  const items: ModelData['items'] = new Array(n);
  for (let i = 0; i < n; i++) {
    items[i] = {
      id: `sku-${i}`,
      category: `cat-${Math.floor((i * categories) / n)}`,
      brand: `brand-${i % 97}`,
      tags: [],
      in_stock: i % 50 !== 49,
    };
  }
  return {
    items,
    k,
    neighbours: denseNeighbours(n, k),
    popular: Array.from({ length: Math.min(n, 500) }, (_, r) => (r * 7919) % n),
    createdAt: 1_750_000_000_000,
    trainer: 'generated/1',
    ...over,
  };
}
