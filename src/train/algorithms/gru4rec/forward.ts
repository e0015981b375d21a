/**
 * The GRU4Rec graph in plain TypeScript, for runtimes where wasm is not
 * wanted and as the reference the ONNX export is tested against: embedding
 * of each click → GRU step → final hidden state · item embeddingsᵀ + bias.
 * No allocation per call beyond what the caller passes: the scratch buffers
 * live in the `GruForward` object.
 * @module
 */
import { type GruWeights, sigmoid } from './weights.js';

export class GruForward {
  readonly h: Float32Array;
  private readonly next: Float32Array;
  private readonly gx: Float32Array;
  private readonly gh: Float32Array;

  constructor(readonly wt: GruWeights) {
    const H = wt.hidden;
    this.h = new Float32Array(H);
    this.next = new Float32Array(H);
    this.gx = new Float32Array(3 * H);
    this.gh = new Float32Array(3 * H);
  }

  reset(): void {
    this.h.fill(0);
  }

  /** One click: h ← GRU(embed[item], h). */
  step(item: number): void {
    const { w, r, b, embed, hidden: H } = this.wt;
    const { h, next, gx, gh } = this;
    const x0 = item * H;
    for (let g = 0; g < 3 * H; g++) {
      let sx = b[g]!;
      let sh = b[3 * H + g]!;
      const row = g * H;
      for (let j = 0; j < H; j++) {
        sx += w[row + j]! * embed[x0 + j]!;
        sh += r[row + j]! * h[j]!;
      }
      gx[g] = sx;
      gh[g] = sh;
    }
    for (let j = 0; j < H; j++) {
      const z = sigmoid(gx[j]! + gh[j]!);
      const rr = sigmoid(gx[H + j]! + gh[H + j]!);
      const n = Math.tanh(gx[2 * H + j]! + rr * gh[2 * H + j]!);
      next[j] = (1 - z) * n + z * h[j]!;
    }
    h.set(next);
  }

  /** The hidden state after `clicks` (item indices; out-of-range ones are skipped), from zero. */
  run(clicks: ArrayLike<number>): Float32Array {
    this.reset();
    for (let t = 0; t < clicks.length; t++) {
      const it = clicks[t]!;
      if (it >= 0 && it < this.wt.items) this.step(it);
    }
    return this.h;
  }

  /** Score of item `i` for the current hidden state. */
  score(i: number): number {
    const { out, outBias, hidden: H } = this.wt;
    const h = this.h;
    let s = outBias[i]!;
    const o = i * H;
    for (let j = 0; j < H; j++) s += h[j]! * out[o + j]!;
    return s;
  }

  /** Scores of every item (length = items) or of `candidates` (same length as them). */
  scores(out: Float32Array, candidates?: ArrayLike<number>): Float32Array {
    if (candidates) for (let c = 0; c < candidates.length; c++) out[c] = this.score(candidates[c]!);
    else for (let i = 0; i < this.wt.items; i++) out[i] = this.score(i);
    return out;
  }
}
