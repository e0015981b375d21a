/**
 * The aggregator's model: the global item table, updated once per closed
 * round by DP-FedAvg with server momentum.
 *
 * Per round: the exact sum S of the survivors' clipped updates (from secure
 * aggregation) → reject the round if ‖S‖ > survivors·C (no set of honestly
 * clipped updates can exceed it, by the triangle inequality) → S + N(0, (zC)²)
 * → divided by the configured clients per round (a fixed denominator, so the
 * division does not depend on who took part) → momentum → Y += η·m.
 *
 * Poisoning: the server never sees one client's update, so it cannot clip
 * it. Honest client code clips to C; a client that bypasses it can at worst
 * make the round's sum as large as the check allows, so any accepted round
 * moves the momentum by at most C·survivors/clientsPerRound ≤ C (before noise).
 * @module
 */
import type { ZcdpAccountant } from './accountant.js';
import { addGaussianNoise, type UniformSource } from './dp.js';
import { dequantize } from './secure-agg.js';

export interface ServerOptions {
  nItems: number;
  dim: number;
  /** Per-client L2 bound C. */
  clip: number;
  /** The fixed FedAvg denominator. */
  clientsPerRound: number;
  /** Server learning rate η. */
  learningRate: number;
  /** Server momentum β (0: plain FedAvg). */
  momentum: number;
  /** Fixed-point scale of the quantized updates. */
  scale: number;
  accountant: ZcdpAccountant;
  uniform: UniformSource;
  /** Initial item table (items × dim). */
  initial: Float32Array;
}

export class RejectedRoundError extends Error {}

export interface RoundOutcome {
  /** L2 norm of the sum before noise (the server knows it; it is not released). */
  sumNorm: number;
  /** L2 norm of the change to the item table. */
  step: number;
  epsilon: number;
}

export class FederatedServer {
  readonly items: Float32Array;
  private readonly velocity: Float64Array;

  constructor(readonly o: ServerOptions) {
    if (o.initial.length !== o.nItems * o.dim)
      throw new Error('[tessera] [federated] initial item table has the wrong size');
    this.items = Float32Array.from(o.initial);
    this.velocity = new Float64Array(o.initial.length);
  }

  /** The largest ‖sum‖ honest clients can produce (they clip so that even the rounded update is within C). */
  sumBound(survivors: number): number {
    return survivors * this.o.clip;
  }

  /** Applies one closed round's quantized sum; throws RejectedRoundError without touching the model or the budget. */
  apply(quantizedSum: Uint32Array, survivors: number): RoundOutcome {
    const sum = dequantize(quantizedSum, this.o.scale);
    let s2 = 0;
    for (const v of sum) s2 += v * v;
    const sumNorm = Math.sqrt(s2);
    if (sumNorm > this.sumBound(survivors))
      throw new RejectedRoundError(
        `[tessera] [federated] round sum has norm ${sumNorm.toFixed(3)} > ${this.sumBound(survivors).toFixed(3)}: some client did not clip; round rejected`,
      );
    this.o.accountant.spendRound();
    addGaussianNoise(sum, this.o.accountant.z * this.o.clip, this.o.uniform);
    let step2 = 0;
    for (let q = 0; q < sum.length; q++) {
      const v = this.o.momentum * this.velocity[q]! + sum[q]! / this.o.clientsPerRound;
      this.velocity[q] = v;
      const before = this.items[q]!;
      this.items[q] = before + this.o.learningRate * v;
      step2 += (this.items[q]! - before) ** 2;
    }
    return { sumNorm, step: Math.sqrt(step2), epsilon: this.o.accountant.totalEpsilon };
  }
}
