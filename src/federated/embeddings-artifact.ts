/**
 * The federated item table as a model artifact the engine serves like any
 * other: the embeddings themselves (Float32, exact), item neighbours by
 * cosine similarity between embeddings (top k per item), and a "popular"
 * list ordered by embedding norm, since a federation never sees events to
 * count (an item that many devices pushed has moved furthest from the
 * small random start).
 *
 * Deterministic: the same table and catalog give the same bytes, so every
 * node that materializes a round registers the same version.
 * @module
 */
import type { ModelData } from '../core/recommend/artifact-format.js';
import { writeArtifact } from '../core/recommend/artifact-write.js';
import { TopK } from '../train/top-k.js';

export type CatalogItems = ModelData['items'];

export async function embeddingsArtifact(
  items: CatalogItems,
  table: Float32Array,
  dim: number,
  o: { k?: number; createdAt: number },
): Promise<ArrayBuffer> {
  const n = items.length;
  if (table.length !== n * dim)
    throw new Error(`[tessera] [federated] item table of ${table.length} floats, expected ${n} × ${dim}`);
  const k = Math.max(1, Math.min(o.k ?? 20, n - 1));
  const norms = new Float64Array(n);
  // Unit rows once, so each pair costs one dot product (a zero row stays zero and scores 0).
  const unit = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let p = 0; p < dim; p++) s += table[i * dim + p]! ** 2;
    norms[i] = Math.sqrt(s);
    if (norms[i]! > 0) for (let p = 0; p < dim; p++) unit[i * dim + p] = table[i * dim + p]! / norms[i]!;
  }
  const neighbours: Array<Array<[number, number]>> = [];
  const top = new TopK(k);
  for (let i = 0; i < n; i++) {
    top.reset();
    const a = i * dim;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const b = j * dim;
      let dot = 0;
      for (let p = 0; p < dim; p++) dot += unit[a + p]! * unit[b + p]!;
      top.push(j, dot);
    }
    neighbours.push(top.result());
  }
  const popular = [...norms.keys()].sort((a, b) => norms[b]! - norms[a]! || a - b);
  return writeArtifact({
    items,
    k,
    neighbours,
    popular,
    embeddings: { dim, data: table },
    createdAt: o.createdAt,
    trainer: 'federated-mf/1',
  });
}
