/**
 * The tally of every experiment: per arm, the unique visitors exposed, and
 * of those the unique visitors who clicked a recommended item, added to cart
 * or purchased, plus revenue. Conversions count only for visitors already
 * exposed, and only once per visitor (revenue once per purchase event id),
 * so retried beacons, replayed batches and repeat pages change nothing.
 *
 * Why a ledger beside the event log: the exposure itself is logged as an
 * event (see `exposureEvent`), deduplicated by the log on (visitor, id), so
 * the log stays the source of truth for offline analysis; the ledger is the
 * running aggregate the dashboard, the sequential test and the bandits read
 * on every decision without scanning the log.
 *
 * Where it lives: a `LedgerStore` (ledger-store.ts) counts and deduplicates
 * in one write, and this class holds the merged CRDT state (ledger-state.ts)
 * in memory for reads: this node's component as the store acknowledged it,
 * other nodes' components as the store or the bus brought them. A count
 * shows here only once the store has it, so what the dashboard shows
 * survives a `kill -9`. `restore()` loads the store on start.
 * @module
 */
import type { ArmTotals } from '../../stats/report.js';
import { HlcClock } from '../hlc.js';
import type { TesseraEvent } from '../types.js';
import type { ArmTally, BanditState } from './bandit.js';
import {
  type CounterAddress,
  counterKey,
  emptyLedger,
  type LedgerCounter,
  type LedgerState,
  mergeLedgerInto,
  parseCounterKey,
  type StatusRegister,
  type StatusValue,
  sumCounter,
} from './ledger-state.js';
import { EXPOSURE_MARK, type LedgerHit, type LedgerStore } from './ledger-store.js';
import { createMemoryLedgerStore } from './memory-ledger-store.js';

export interface ConversionHit {
  experiment: string;
  arm: string;
  segment: string;
  kind: 'purchase' | 'add_to_cart' | 'click';
  /** True the first time this visitor converts (purchase) in this experiment. */
  first: boolean;
}

export interface LedgerEvent extends TesseraEvent {
  /** Price of the purchased item, looked up from the catalog by the caller. */
  value?: number;
}

export interface LedgerOptions {
  node: string;
  /** Where counts and statuses live (default: this process's memory). */
  store?: LedgerStore;
  now?: () => number;
}

/** How many recent first assignments a node remembers for visitors whose profile is not stored. */
const RECENT_ASSIGNMENTS = 10_000;

const KIND_COUNTER = { purchase: 'converted', add_to_cart: 'carted', click: 'clicked' } as const;

export class ExperimentLedger {
  readonly node: string;
  readonly store: LedgerStore;
  private readonly state: LedgerState = emptyLedger();
  private readonly clock: HlcClock;
  private readonly listeners = new Set<(delta: LedgerState) => void>();
  /** visitor SEP experiment → arm, bounded: the profile's sticky arm is the durable memory. */
  private readonly recent = new Map<string, string>();

  constructor(o: LedgerOptions) {
    this.node = o.node;
    this.store = o.store ?? createMemoryLedgerStore();
    const now = o.now ?? Date.now;
    this.clock = new HlcClock(o.node, { now });
  }

  /** Load what the store holds (on start); merging is idempotent, so calling it again is harmless. */
  async restore(): Promise<void> {
    this.merge(await this.store.load());
  }

  /** Fold in a state from the store or another node; true when anything changed. */
  merge(remote: LedgerState): boolean {
    for (const r of Object.values(remote.status)) this.clock.observe(r.at);
    return mergeLedgerInto(this.state, remote);
  }

  /** The merged state (for the bus and the admin API). */
  snapshot(): LedgerState {
    return structuredClone(this.state);
  }

  /** Hear about every change this node makes (its counters, its status writes); returns an unsubscribe. */
  onChange(listener: (delta: LedgerState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(delta: LedgerState): void {
    for (const l of this.listeners) l(delta);
  }

  /** Count the hits in the store, then here; returns the hits that counted with their arms. */
  private async count(hits: LedgerHit[]) {
    if (hits.length === 0) return [];
    const counted = await this.store.count(this.node, hits);
    const delta = emptyLedger();
    for (const c of counted) {
      const h = hits[c.index]!;
      const key = counterKey({
        experiment: h.experiment,
        arm: c.arm,
        segment: c.segment,
        counter: h.counter,
      });
      delta.counters[key] = { [this.node]: c.value };
    }
    mergeLedgerInto(this.state, delta);
    if (counted.length > 0) this.emit(delta);
    return counted.map((c) => ({ ...c, hit: hits[c.index]! }));
  }

  /** Record first exposures; resolves to the ones that counted (a visitor already counted is skipped). */
  async expose(
    visitor: string,
    exposures: ReadonlyArray<{ experiment: string; arm: string; segment?: string }>,
  ): Promise<Array<{ experiment: string; arm: string; segment: string }>> {
    for (const x of exposures) this.remember(visitor, x.experiment, x.arm);
    const counted = await this.count(
      exposures.map((x) => ({
        experiment: x.experiment,
        visitor,
        counter: 'exposed',
        mark: EXPOSURE_MARK,
        amount: 1,
        arm: x.arm,
        segment: x.segment ?? '*',
      })),
    );
    return counted.map((c) => ({ experiment: c.hit.experiment, arm: c.arm, segment: c.segment }));
  }

  private remember(visitor: string, experiment: string, arm: string): void {
    const key = `${visitor}\u0001${experiment}`;
    if (this.recent.has(key)) return;
    this.recent.set(key, arm);
    if (this.recent.size > RECENT_ASSIGNMENTS) this.recent.delete(this.recent.keys().next().value as string);
  }

  /** The arm this node assigned the visitor lately, if it remembers. */
  armOf(visitor: string, experiment: string): string | undefined {
    return this.recent.get(`${visitor}\u0001${experiment}`);
  }

  /**
   * Attribute a visitor's events to their arm in each of `experiments`
   * (the store knows which the visitor was exposed to). `recSlots` names the
   * recommendation slots: a click counts when the collector says it came
   * from one of them. Resolves to the conversions that counted.
   */
  async record(
    visitor: string,
    events: readonly LedgerEvent[],
    recSlots: ReadonlySet<string>,
    experiments: readonly string[],
  ): Promise<ConversionHit[]> {
    const hits: LedgerHit[] = [];
    for (const e of events) {
      const kind =
        e.type === 'purchase' || e.type === 'add_to_cart'
          ? e.type
          : e.type === 'click' && typeof e.props?.slot === 'string' && recSlots.has(e.props.slot)
            ? 'click'
            : undefined;
      if (!kind) continue;
      const counter: LedgerCounter = KIND_COUNTER[kind];
      for (const experiment of experiments) {
        hits.push({ experiment, visitor, counter, mark: counter, amount: 1 });
        const value = e.value;
        if (kind === 'purchase' && value !== undefined && Number.isFinite(value) && value > 0)
          hits.push({ experiment, visitor, counter: 'revenue', mark: `r:${e.id}`, amount: value });
      }
    }
    const counted = await this.count(hits);
    const kinds = { converted: 'purchase', carted: 'add_to_cart', clicked: 'click' } as const;
    return counted.flatMap(({ hit, arm, segment }) =>
      hit.counter === 'revenue' || hit.counter === 'exposed'
        ? []
        : [{ experiment: hit.experiment, arm, segment, kind: kinds[hit.counter], first: true }],
    );
  }

  private sum(a: CounterAddress): number {
    const v = sumCounter(this.state.counters[counterKey(a)]);
    return Number.isFinite(v) ? v : 0;
  }

  /** Segments with counts in an experiment. */
  segments(experiment: string): string[] {
    const out = new Set<string>();
    for (const key in this.state.counters) {
      const a = parseCounterKey(key);
      if (a?.experiment === experiment) out.add(a.segment);
    }
    return [...out];
  }

  private total(experiment: string, arm: string, counter: LedgerCounter): number {
    let s = 0;
    for (const segment of this.segments(experiment)) s += this.sum({ experiment, arm, segment, counter });
    return s;
  }

  /** Totals per arm in the order given (weights attached for the SRM check). */
  totals(experiment: string, arms: ReadonlyArray<{ arm: string; weight: number }>): ArmTotals[] {
    return arms.map(({ arm, weight }) => ({
      arm,
      weight,
      visitors: this.total(experiment, arm, 'exposed'),
      converted: this.total(experiment, arm, 'converted'),
      clicked: this.total(experiment, arm, 'clicked'),
      carted: this.total(experiment, arm, 'carted'),
      revenue: this.total(experiment, arm, 'revenue'),
    }));
  }

  /** A bandit's view of a segment: trials are exposed visitors, wins converted ones. */
  banditTally(experiment: string, segment: string, arms: readonly string[]): ArmTally[] {
    return arms.map((arm) => ({
      arm,
      trials: this.sum({ experiment, arm, segment, counter: 'exposed' }),
      wins: this.sum({ experiment, arm, segment, counter: 'converted' }),
    }));
  }

  /** The bandit counters as the mergeable state the admin API has always shown. */
  banditState(): BanditState {
    const out: BanditState = {};
    for (const [key, c] of Object.entries(this.state.counters)) {
      const a = parseCounterKey(key);
      if (!a || (a.counter !== 'exposed' && a.counter !== 'converted')) continue;
      const segments = out[a.experiment] ?? {};
      out[a.experiment] = segments;
      const arms = segments[a.segment] ?? {};
      segments[a.segment] = arms;
      const arm = arms[a.arm] ?? { trials: {}, wins: {} };
      arms[a.arm] = arm;
      Object.assign(a.counter === 'exposed' ? arm.trials : arm.wins, c);
    }
    return out;
  }

  status(experiment: string): StatusRegister | undefined {
    return this.state.status[experiment];
  }

  /** Set an experiment's override here at once, then in the store (resolves once stored). */
  setStatus(experiment: string, value: StatusValue): Promise<void> {
    const register: StatusRegister = { value, at: this.clock.now() };
    const delta: LedgerState = { counters: {}, status: { [experiment]: register } };
    mergeLedgerInto(this.state, delta);
    this.emit(delta);
    return this.store.putStatus(experiment, register);
  }
}
