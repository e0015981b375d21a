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
  // Built once, not per call: the feeds that never change, a tensor per session
  // length (1…n), and one int64 buffer for the candidates, written through an
  // Int32 view (low word, high word 0) so no BigInt is made per candidate.
  const fixed: Record<string, OrtTensorLike> = {};
  if (context) fixed.context = new ort.Tensor('float32', context, [1, context.length]);
  if (all) fixed.allCandidates = new ort.Tensor('int64', all, [all.length]);
  const sessions = new Map<number, { seq: Int32Array; items: OrtTensorLike; length: OrtTensorLike }>();
  const sessionOf = (n: number) => {
    let t = sessions.get(n);
    if (!t) {
      const seq = new BigInt64Array(n);
      t = {
        seq: new Int32Array(seq.buffer),
        items: new ort.Tensor('int64', seq, [1, n]),
        length: new ort.Tensor('int64', BigInt64Array.of(BigInt(n)), [1]),
      };
      sessions.set(n, t);
    }
    return t;
  };
  let candBuf = new BigInt64Array(0);
  let candWords = new Int32Array(0);
  const candTensors = new Map<number, OrtTensorLike>();
  const candidatesTensor = (c: ArrayLike<number>): OrtTensorLike => {
    const n = c.length;
    if (candBuf.length < n) {
      candBuf = new BigInt64Array(Math.max(n, 2 * candBuf.length));
      candWords = new Int32Array(candBuf.buffer);
      candTensors.clear();
    }
    for (let q = 0; q < n; q++) {
      candWords[2 * q] = c[q]!;
      candWords[2 * q + 1] = 0;
    }
    let t = candTensors.get(n);
    if (!t) {
      if (candTensors.size >= 16) candTensors.clear();
      t = new ort.Tensor('int64', candBuf.subarray(0, n), [n]);
      candTensors.set(n, t);
    }
    return t;
  };
  const feeds: Record<string, OrtTensorLike> = {};
  if (fixed.context) feeds.context = fixed.context;
  return {
    async score(clicks, candidates) {
      const n = clicks.length;
      const s = sessionOf(n);
      for (let t = 0; t < n; t++) {
        s.seq[2 * t] = clicks[t]!;
        s.seq[2 * t + 1] = 0;
      }
      feeds.items = s.items;
      feeds.length = s.length;
      if (contract.candidates)
        feeds.candidates = candidates ? candidatesTensor(candidates) : fixed.allCandidates!;
      const out = (await session.run(feeds)).scores;
      if (!out || !(out.data instanceof Float32Array))
        throw new Error('[tessera] [onnx] the model returned no float scores');
      if (candidates && !contract.candidates)
        return Float32Array.from(candidates, (i) => (out.data as Float32Array)[i]!);
      return out.data;
    },
  };
}
