/**
 * A GRU4Rec session model whose answer is known: after a session whose last
 * click is `after`, item `first` scores highest; after any other session
 * every item scores 0 (the neighbour order stands, as the sort is stable).
 * The GRU is set by hand (z ≈ 0, so h = tanh(embed[last click]); only
 * `after` has a non-zero embedding, only `first` a matching output vector)
 * and exported to ONNX as `tessera train --algorithm gru4rec` exports.
 * The artifact's neighbours put `first` last among `after`'s, below the
 * slot, so a slot that starts with `first` was ordered by the model.
 */
import type { ModelData } from '../../src/core/recommend/artifact-format.js';
import { DEFAULT_EXPLORATION_SHARE, explorationSlots } from '../../src/core/recommend/exploration.js';
import { onnxArtifact } from '../../src/models/onnx/onnx-artifact.js';
import { exportGru4RecOnnx } from '../../src/train/algorithms/gru4rec/onnx-export.js';
import type { GruWeights } from '../../src/train/algorithms/gru4rec/weights.js';

export function knownSessionWeights(items: number, after: number, first: number): GruWeights {
  const H = 4;
  const w = new Float32Array(3 * H * H);
  for (let j = 0; j < H; j++) w[(2 * H + j) * H + j] = 1; // n = tanh(x)
  const b = new Float32Array(6 * H);
  for (let j = 0; j < H; j++) b[j] = -20; // z ≈ 0: h' = n
  const embed = new Float32Array(items * H);
  embed[after * H] = 3;
  const out = new Float32Array(items * H);
  out[first * H] = 10;
  return {
    items,
    hidden: H,
    embed,
    w,
    r: new Float32Array(3 * H * H),
    b,
    out,
    outBias: new Float32Array(items),
  };
}

export interface KnownSessionModel {
  artifact: ArrayBuffer;
  /** `after`'s neighbours as the neighbour-based ranking orders them (`first` last). */
  neighbourOrder: string[];
}

export async function knownSessionModel(
  items: ModelData['items'],
  after: string,
  first: string,
  neighbours = 20,
): Promise<KnownSessionModel> {
  const ids = items.map((r) => r.id);
  const a = ids.indexOf(after);
  const f = ids.indexOf(first);
  const others = ids
    .map((_, i) => i)
    .filter((i) => i !== a && i !== f && items[i]!.in_stock !== false)
    .slice(0, neighbours);
  const row: Array<[number, number]> = [...others, f].map((i, q) => [i, 1 - q / 100]);
  const lists = ids.map((_, i) => (i === a ? row : []));
  const onnx = exportGru4RecOnnx(knownSessionWeights(ids.length, a, f), { candidates: true });
  const artifact = await onnxArtifact(items, onnx, { trainer: 'test', neighbours: lists, k: row.length });
  return { artifact, neighbourOrder: row.map(([i]) => ids[i]!) };
}

/**
 * The part of a served neighbour-based list its ranking chose: the list without the exploration
 * picks, which are drawn at random (seeded by visitor and day) from the candidates just below the
 * cut and appended, so `first` may be one of them without any model having ordered the list.
 */
export function ranked(list: readonly string[]): string[] {
  return list.slice(0, list.length - explorationSlots(list.length, DEFAULT_EXPLORATION_SHARE, 'any'));
}
