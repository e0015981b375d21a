/**
 * Privacy accounting in zero-concentrated DP (Bun & Steinke, TCC 2016).
 *
 * Each round releases the sum of clipped updates plus N(0, (z·C)²) noise per
 * coordinate. Adding or removing one client moves the sum by at most C in L2,
 * so one round is a Gaussian mechanism with ρ = C²/(2(zC)²) = 1/(2z²).
 * Rounds compose additively: after R rounds ρ = R/(2z²), and
 * ε = ρ + 2·√(ρ·ln(1/δ)) (their Proposition 1.3).
 *
 * No amplification by sampling is claimed: a client is charged for every
 * round, as if it took part in all of them. That is loose (a client picked in
 * few rounds pays less in truth) but needs no assumption about how clients
 * are selected or who drops out.
 * @module
 */

/** ρ of one round with noise multiplier z. */
export const roundRho = (z: number): number => 1 / (2 * z * z);

/** The (ε, δ)-DP guarantee implied by ρ-zCDP. */
export function epsilonOf(rho: number, delta: number): number {
  if (rho === 0) return 0;
  if (!Number.isFinite(rho)) return Number.POSITIVE_INFINITY;
  return rho + 2 * Math.sqrt(rho * Math.log(1 / delta));
}

/** The largest ρ whose ε at δ is `epsilon` (inverse of `epsilonOf`). */
export function rhoFor(epsilon: number, delta: number): number {
  if (!Number.isFinite(epsilon)) return Number.POSITIVE_INFINITY;
  const l = Math.log(1 / delta);
  const s = Math.sqrt(l + epsilon) - Math.sqrt(l);
  return s * s;
}

/** The noise multiplier z that spends exactly (ε, δ) in `rounds` rounds (0 for ε = ∞). */
export function noiseMultiplierFor(epsilon: number, delta: number, rounds: number): number {
  if (!Number.isFinite(epsilon)) return 0;
  if (!(epsilon > 0)) throw new RangeError(`[tessera] [federated] epsilon must be > 0, got ${epsilon}`);
  if (!(delta > 0 && delta < 1))
    throw new RangeError(`[tessera] [federated] delta must be in (0, 1), got ${delta}`);
  return Math.sqrt(rounds / (2 * rhoFor(epsilon, delta)));
}

/** Tracks ρ spent round by round and refuses a round that would exceed the budget. */
export class ZcdpAccountant {
  private spent = 0;
  private roundsSpent = 0;

  constructor(
    /** Noise multiplier of every round (0: no noise, infinite ε). */
    readonly z: number,
    readonly delta: number,
    /** Budget ε at `delta` (Infinity: no budget). */
    readonly budget: number,
  ) {}

  get rounds(): number {
    return this.roundsSpent;
  }

  /** ε of one round on its own. */
  get roundEpsilon(): number {
    return epsilonOf(this.z === 0 ? Number.POSITIVE_INFINITY : roundRho(this.z), this.delta);
  }

  /** ε of everything released so far. */
  get totalEpsilon(): number {
    return epsilonOf(this.spent, this.delta);
  }

  /** Whether one more round stays within the budget. */
  canSpend(): boolean {
    if (!Number.isFinite(this.budget)) return true;
    if (this.z === 0) return false;
    // A relative slack absorbs the rounding of z chosen to spend the budget exactly.
    return epsilonOf(this.spent + roundRho(this.z), this.delta) <= this.budget * (1 + 1e-9);
  }

  spendRound(): void {
    if (!this.canSpend())
      throw new Error(
        `[tessera] [federated] privacy budget ε=${this.budget} at δ=${this.delta} is spent after ${this.roundsSpent} rounds`,
      );
    this.spent += this.z === 0 ? Number.POSITIVE_INFINITY : roundRho(this.z);
    this.roundsSpent++;
  }
}
