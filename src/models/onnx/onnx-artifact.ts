/**
 * An ONNX session model as a registry version: an artifact (the unit every
 * model store, alias and node already handles) holding the item table and
 * the .onnx bytes in its `sessionOnnx` section. It has no neighbour lists of
 * its own (one empty slot per item), so its fallback list is the item order
 * of the items file, taken as popularity.
 * @module
 */
import type { ModelData } from '../../core/recommend/artifact-format.js';
import { writeArtifact } from '../../core/recommend/index.js';
import type { ItemRow } from './items-file.js';

export function onnxArtifact(
  items: ItemRow[],
  onnx: Uint8Array,
  o: { trainer: string; neighbours?: ModelData['neighbours']; k?: number; createdAt?: number },
): Promise<ArrayBuffer> {
  return writeArtifact({
    items,
    k: o.k ?? 1,
    neighbours: o.neighbours ?? items.map(() => []),
    popular: items.map((_, i) => i),
    sessionOnnx: onnx,
    createdAt: o.createdAt ?? Date.now(),
    trainer: o.trainer,
  });
}
