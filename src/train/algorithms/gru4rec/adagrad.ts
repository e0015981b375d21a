/**
 * Adagrad (GRU4Rec's default optimiser): each parameter's step is divided by
 * the root of its summed squared gradients, so rare items' embeddings still
 * move when they finally appear. Rows of the embedding tables are updated
 * sparsely: only the items of the mini-batch.
 * @module
 */
const EPS = 1e-6;

export class Adagrad {
  private readonly acc: Float32Array;

  constructor(
    readonly param: Float32Array,
    readonly lr: number,
  ) {
    this.acc = new Float32Array(param.length);
  }

  /** param[from + j] -= lr · g[j] / √acc, for j < grad.length (grad read from `g0`). */
  apply(grad: Float32Array, from = 0, g0 = 0, length = grad.length - g0): void {
    const { param, acc, lr } = this;
    for (let j = 0; j < length; j++) {
      const g = grad[g0 + j]!;
      if (g === 0) continue;
      const a = acc[from + j]! + g * g;
      acc[from + j] = a;
      param[from + j]! -= (lr * g) / (Math.sqrt(a) + EPS);
    }
  }
}
