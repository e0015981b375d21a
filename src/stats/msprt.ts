/**
 * The mixture sequential probability ratio test (mSPRT) of Johari, Pekelis
 * and Walsh, "Always Valid Inference: Bringing Sequential Analysis to A/B
 * Testing" (2017; Operations Research 2022), for the difference of two
 * conversion rates with a normal mixture N(0, τ²) over the effect.
 *
 * With θ̂ = p̂_t − p̂_c and its variance V = p̂_t(1−p̂_t)/n_t + p̂_c(1−p̂_c)/n_c,
 *
 *   Λ = √(V / (V + τ²)) · exp( θ̂² τ² / (2 V (V + τ²)) )
 *
 * and the always-valid p-value is the running minimum of min(1, 1/Λ) over
 * every look. Rejecting when it falls below α keeps the false-positive rate
 * at most α however often the test is read.
 * @module
 */

export interface ArmCounts {
  /** Unique visitors exposed. */
  n: number;
  /** Unique visitors who converted. */
  x: number;
}

export interface MsprtOptions {
  /** Standard deviation of the mixing distribution over the absolute difference (default 0.02). */
  tau?: number;
}

export const DEFAULT_TAU = 0.02;

/** The mixture likelihood ratio Λ at one look (1 when there is not enough data). */
export function msprtLambda(control: ArmCounts, treatment: ArmCounts, o: MsprtOptions = {}): number {
  if (control.n < 2 || treatment.n < 2) return 1;
  const pc = control.x / control.n;
  const pt = treatment.x / treatment.n;
  const v = (pt * (1 - pt)) / treatment.n + (pc * (1 - pc)) / control.n;
  if (!(v > 0)) return 1;
  const tau2 = (o.tau ?? DEFAULT_TAU) ** 2;
  const d = pt - pc;
  return Math.sqrt(v / (v + tau2)) * Math.exp((d * d * tau2) / (2 * v * (v + tau2)));
}

/** An always-valid test that remembers its running minimum p-value between looks. */
export class SequentialTest {
  private minP = 1;
  private looks = 0;
  constructor(
    readonly alpha = 0.01,
    private readonly o: MsprtOptions = {},
  ) {}

  /** Look at the current counts; returns the always-valid p-value so far. */
  look(control: ArmCounts, treatment: ArmCounts): number {
    this.looks++;
    const lambda = msprtLambda(control, treatment, this.o);
    this.minP = Math.min(this.minP, 1 / lambda);
    return this.minP;
  }

  get p(): number {
    return this.minP;
  }

  get concluded(): boolean {
    return this.minP < this.alpha;
  }

  get lookCount(): number {
    return this.looks;
  }

  toJSON(): { p: number; alpha: number; concluded: boolean; looks: number } {
    return { p: this.minP, alpha: this.alpha, concluded: this.concluded, looks: this.looks };
  }
}
