/**
 * Keeps the session model within its latency budget: the p99 of the last
 * `window` calls is compared with the budget; above it, the guard opens and
 * the next `cooldown` rankings skip the model (the neighbour-based list is
 * served), then one call probes again. A call cannot be interrupted (wasm
 * and the TypeScript pass are synchronous inside), so the guard acts on what
 * the recent calls cost, not on the call in flight.
 * @module
 */
export interface LatencyGuardOptions {
  budgetMs: number;
  window?: number;
  cooldown?: number;
}

export class LatencyGuard {
  private readonly samples: Float64Array;
  private n = 0;
  private skipLeft = 0;
  readonly budgetMs: number;
  private readonly cooldown: number;

  constructor(o: LatencyGuardOptions) {
    this.budgetMs = o.budgetMs;
    this.samples = new Float64Array(o.window ?? 100);
    this.cooldown = o.cooldown ?? 1000;
  }

  /** True when the model may run now; false while the guard is open. */
  allow(): boolean {
    if (this.skipLeft === 0) return true;
    this.skipLeft--;
    return false;
  }

  record(ms: number): void {
    this.samples[this.n++ % this.samples.length] = ms;
    const p99 = this.p99();
    if (p99 > this.budgetMs) {
      this.skipLeft = this.cooldown;
      this.n = 0; // the probe after the cooldown starts a fresh window
    }
  }

  /** p99 of the recorded window (0 before the first call). */
  p99(): number {
    const k = Math.min(this.n, this.samples.length);
    if (k === 0) return 0;
    const s = this.samples.slice(0, k).sort();
    return s[Math.min(k - 1, Math.ceil(0.99 * k) - 1)]!;
  }
}
