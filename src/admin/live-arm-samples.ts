/**
 * Per-arm CTR and conversion over time, for the dashboard's live charts.
 * They are the experiment ledger's cumulative counts (unique visitors
 * exposed, who clicked a recommendation, who bought), read once per 10-second
 * bucket while requests come in, so they are the numbers the experiment
 * table shows, merged across nodes, as they stood over time.
 * @module
 */
import { type LedgerState, parseCounterKey } from '../core/experiments/ledger-state.js';
import type { ArmSeriesJson, LiveJson } from './live-series-json.js';

interface ArmCounts {
  exposed: number;
  clicked: number;
  converted: number;
}

/** The last `max` samples of the ledger's per-arm totals, one per 10-second bucket. */
export class ArmSamples {
  private ledger: (() => LedgerState) | undefined;
  private readonly samples: Array<{ t: number; totals: Map<string, ArmCounts> }> = [];
  private lastSample = -1;

  constructor(private readonly max: number) {}

  /** Where the counts come from (the engine's experiment ledger), once the engine exists. */
  readFrom(read: () => LedgerState): void {
    this.ledger = read;
  }

  /**
   * Traffic reads the ledger once per 10-second bucket (its first request);
   * a dashboard read (`refresh`) reads it again, so the newest point is now's.
   */
  sample(t: number, refresh = false): void {
    const n = Math.floor(t / 10_000);
    if (!this.ledger || (n === this.lastSample && !refresh)) return;
    const sample = { t: n * 10, totals: armTotals(this.ledger()) };
    if (n === this.lastSample) this.samples[this.samples.length - 1] = sample;
    else this.samples.push(sample);
    this.lastSample = n;
    if (this.samples.length > this.max) this.samples.shift();
  }

  json(): LiveJson['arms'] {
    const ids = new Set<string>();
    for (const s of this.samples) for (const id of s.totals.keys()) ids.add(id);
    const series = [...ids].sort().map((id): ArmSeriesJson => {
      const [experiment, arm] = JSON.parse(id) as [string, string];
      const s: ArmSeriesJson = {
        experiment,
        arm,
        exposed: [],
        ctr: [],
        conversion: [],
        conversionLo: [],
        conversionHi: [],
      };
      for (const sample of this.samples) {
        const c = sample.totals.get(id);
        const n = c?.exposed ?? 0;
        s.exposed.push(n);
        if (!c || n === 0) {
          for (const k of ['ctr', 'conversion', 'conversionLo', 'conversionHi'] as const) s[k].push(null);
          continue;
        }
        const [lo, hi] = wilson(Math.min(c.converted, n), n);
        s.ctr.push(Math.min(c.clicked, n) / n);
        s.conversion.push(Math.min(c.converted, n) / n);
        s.conversionLo.push(lo);
        s.conversionHi.push(hi);
      }
      return s;
    });
    return { t: this.samples.map((s) => s.t), series };
  }
}

function armTotals(state: LedgerState): Map<string, ArmCounts> {
  const out = new Map<string, ArmCounts>();
  for (const [key, counter] of Object.entries(state.counters)) {
    const a = parseCounterKey(key);
    if (!a || (a.counter !== 'exposed' && a.counter !== 'clicked' && a.counter !== 'converted')) continue;
    const id = JSON.stringify([a.experiment, a.arm]);
    let c = out.get(id);
    if (!c) {
      c = { exposed: 0, clicked: 0, converted: 0 };
      out.set(id, c);
    }
    for (const v of Object.values(counter)) c[a.counter] += v;
  }
  return out;
}

/** Wilson score interval at 95%. */
function wilson(k: number, n: number): [number, number] {
  const z = 1.96;
  const p = k / n;
  const d = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / d;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}
