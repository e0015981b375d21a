/**
 * What a rollout counts per model (production, candidate): the visitors it
 * served, those who clicked a recommendation or bought, decisions, errors,
 * and the latest decision latencies. Visitor-level counts (each visitor once)
 * are what the sequential test needs: a visitor is one Bernoulli trial.
 * @module
 */
import { percentile } from '../../stats/monitor.js';
import type { ArmTally } from './tallies.js';

/** Latency samples kept per arm: the p99 of the last ones. */
const LATENCY_WINDOW = 2048;

export class ArmStats {
  readonly visitors = new Set<string>();
  readonly clickers = new Set<string>();
  readonly buyers = new Set<string>();
  decisions = 0;
  errors = 0;
  impressions = 0;
  clicks = 0;
  private readonly latency = new Float64Array(LATENCY_WINDOW);
  private samples = 0;

  served(visitor: string | undefined, ms: number, items: number): void {
    if (visitor) this.visitors.add(visitor);
    this.decisions++;
    this.impressions += items;
    this.timed(ms);
  }

  timed(ms: number): void {
    this.latency[this.samples++ % LATENCY_WINDOW] = ms;
  }

  get latencySamples(): number {
    return Math.min(this.samples, LATENCY_WINDOW);
  }

  p99(): number {
    const n = this.latencySamples;
    return percentile(
      Array.from(this.latency.subarray(0, n)).sort((a, b) => a - b),
      0.99,
    );
  }

  /** A click on a recommended item by a visitor this arm served. */
  clicked(visitor: string): void {
    this.clicks++;
    this.clickers.add(visitor);
  }

  bought(visitor: string): void {
    this.buyers.add(visitor);
  }

  /** The counts this replica publishes for the cluster (rollout/tallies.ts). */
  tally(): ArmTally {
    return {
      visitors: this.visitors.size,
      clickers: this.clickers.size,
      buyers: this.buyers.size,
      decisions: this.decisions,
      errors: this.errors,
      impressions: this.impressions,
      clicks: this.clicks,
      p99: this.p99(),
      latencySamples: this.latencySamples,
    };
  }

  toJSON() {
    const n = this.visitors.size;
    return {
      visitors: n,
      decisions: this.decisions,
      errors: this.errors,
      impressions: this.impressions,
      clicks: this.clicks,
      ctr: this.impressions > 0 ? this.clicks / this.impressions : 0,
      click_rate: n > 0 ? this.clickers.size / n : 0,
      conversion: n > 0 ? this.buyers.size / n : 0,
      latency_p99_ms: this.p99(),
    };
  }
}
