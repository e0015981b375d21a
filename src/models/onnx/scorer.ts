/**
 * Runs an ONNX session model through onnxruntime, which the caller injects
 * (the Node runtime loads it with the wasm from node_modules, the Worker with
 * the wasm compiled into its bundle), so this file imports neither and runs
 * on any runtime. The structural `OrtLike` type is all it needs of the library.
 * @module
 */
import type { OnnxContract } from './contract.js';

export interface OrtTensorLike {
  readonly data: unknown;
  readonly dims: readonly number[];
}

export interface OrtLike {
  Tensor: new (
    type: 'int64' | 'float32',
    data: BigInt64Array | Float32Array,
    dims: number[],
  ) => OrtTensorLike;
  InferenceSession: {
    create(
      model: Uint8Array,
      options?: object,
    ): Promise<{
      run(feeds: Record<string, OrtTensorLike>): Promise<Record<string, OrtTensorLike>>;
      release?(): Promise<void>;
    }>;
  };
}

/** Scores of a session: over `candidates` when given, else over every item. */
export interface SessionScorer {
  score(clicks: ArrayLike<number>, candidates?: ArrayLike<number>): Promise<Float32Array>;
}

export async function createOnnxScorer(
  ort: OrtLike,
  bytes: Uint8Array,
  contract: OnnxContract,
  items: number,
): Promise<SessionScorer> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const context = contract.contextFeatures > 0 ? new Float32Array(contract.contextFeatures) : undefined;
  const all = contract.candidates ? BigInt64Array.from({ length: items }, (_, i) => BigInt(i)) : undefined;
  return {
    async score(clicks, candidates) {
      const n = clicks.length;
      const seq = new BigInt64Array(n);
      for (let t = 0; t < n; t++) seq[t] = BigInt(clicks[t]!);
      const feeds: Record<string, OrtTensorLike> = {
        items: new ort.Tensor('int64', seq, [1, n]),
        length: new ort.Tensor('int64', BigInt64Array.of(BigInt(n)), [1]),
      };
      if (context) feeds.context = new ort.Tensor('float32', context, [1, context.length]);
      if (contract.candidates) {
        const c = candidates ? BigInt64Array.from(Array.from(candidates), (i) => BigInt(i)) : all!;
        feeds.candidates = new ort.Tensor('int64', c, [c.length]);
      }
      const out = (await session.run(feeds)).scores;
      if (!out || !(out.data instanceof Float32Array))
        throw new Error('[tessera] [onnx] the model returned no float scores');
      if (candidates && !contract.candidates)
        return Float32Array.from(candidates, (i) => (out.data as Float32Array)[i]!);
      return out.data;
    },
  };
}
