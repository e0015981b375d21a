/**
 * The pure TypeScript path of an ONNX session model: the GRU4Rec weights are
 * read back out of the model's ONNX bytes (gru-onnx-weights.ts) and run by
 * the TypeScript forward pass, so a trained or imported model is served
 * where wasm is not wanted (no onnxruntime loaded). A graph it cannot run is
 * refused when the ranker is prepared, and that model's pages keep their
 * neighbour lists (session-ranker-load.ts logs why).
 * @module
 */
import type { Artifact } from '../../core/recommend/artifact-format.js';
import type { SessionRankerProvider } from '../../core/recommend/session-ranker-port.js';
import { GruForward } from '../../train/algorithms/gru4rec/forward.js';
import { checkOnnxContract, onnxError } from './contract.js';
import { readGru4RecOnnx } from './gru-onnx-weights.js';
import type { SessionScorer } from './scorer.js';
import { type OnnxSessionRankerOptions, onnxSessionRankers } from './session-rankers.js';

export function typescriptScorer(bytes: Uint8Array, artifact: Pick<Artifact, 'itemCount'>): SessionScorer {
  checkOnnxContract(bytes, artifact.itemCount);
  const weights = readGru4RecOnnx(bytes);
  if (weights.items !== artifact.itemCount)
    throw onnxError(
      `the item embeddings have ${weights.items} rows, the model's item table ${artifact.itemCount} items`,
    );
  const forward = new GruForward(weights);
  return {
    // One forward pass at a time per model: `score` finishes before it returns, so calls never interleave.
    async score(clicks, candidates) {
      forward.run(clicks);
      return forward.scores(new Float32Array(candidates ? candidates.length : weights.items), candidates);
    },
  };
}

/** The session ranker port over the TypeScript path: `gru4rec-ts` in the trace. */
export function typescriptSessionRankers(
  o: Omit<OnnxSessionRankerOptions, 'ort' | 'scorer'> = {},
): SessionRankerProvider {
  return onnxSessionRankers({
    name: 'gru4rec-ts',
    ...o,
    scorer: async (bytes, artifact) => typescriptScorer(bytes, artifact),
  });
}
