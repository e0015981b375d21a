/**
 * GRU4Rec's parameters as plain Float32Arrays, in the layout of ONNX's `GRU`
 * operator (gate order z, r, h; `linear_before_reset = 1`), so the exporter
 * copies them as they are and the TypeScript forward pass, the trainer and
 * onnxruntime compute the same thing:
 *
 *   z = σ(Wz·x + Rz·h + Wbz + Rbz)
 *   r = σ(Wr·x + Rr·h + Wbr + Rbr)
 *   n = tanh(Wn·x + Wbn + r ⊙ (Rn·h + Rbn))
 *   h' = (1 − z) ⊙ n + z ⊙ h
 *
 * The input of step t is the embedding of the t-th click (`embed`, items × H);
 * an item's score after the session is h · out[i] + outBias[i].
 * @module
 */
import type { Rng } from '../../rng.js';

export interface GruWeights {
  items: number;
  /** Hidden size H; the input embedding has the same size. */
  hidden: number;
  /** items × H, the embedding of the clicked item. */
  embed: Float32Array;
  /** 3H × H, input weights, gates z, r, h (ONNX `W`). */
  w: Float32Array;
  /** 3H × H, recurrent weights (ONNX `R`). */
  r: Float32Array;
  /** 6H: Wb (3H) then Rb (3H), as ONNX's `B`. */
  b: Float32Array;
  /** items × H, the output item embeddings scored against the hidden state. */
  out: Float32Array;
  /** items, one bias per item (popularity). */
  outBias: Float32Array;
}

/** Uniform in ±√(6 / (fanIn + fanOut)), as GRU4Rec's Theano and PyTorch code. */
function glorot(n: number, fanIn: number, fanOut: number, rng: Rng): Float32Array {
  const a = Math.sqrt(6 / (fanIn + fanOut));
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = (rng() * 2 - 1) * a;
  return x;
}

export function initWeights(items: number, hidden: number, rng: Rng): GruWeights {
  const h = hidden;
  return {
    items,
    hidden,
    embed: glorot(items * h, items, h, rng),
    w: glorot(3 * h * h, h, 3 * h, rng),
    r: glorot(3 * h * h, h, 3 * h, rng),
    b: new Float32Array(6 * h),
    out: glorot(items * h, items, h, rng),
    outBias: new Float32Array(items),
  };
}

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
