/**
 * The experiments a node runs: the site's definitions with the overrides
 * (pause, resume, promote) the ledger's status registers hold, the ledger of
 * exposures and conversions (which the bandits read), and each experiment's always-valid
 * sequential test, which can promote the winner by itself when the
 * experiment (or the node) says `autoPromote`.
 * @module
 */
import { DecisionMonitor } from '../../stats/monitor.js';
import { seededRandom } from '../../stats/random.js';
import { type ExperimentReport, experimentReport } from '../../stats/report.js';
import type { ExperimentDef } from '../config.js';
import type { TesseraEvent } from '../types.js';
import { type ArmEffects, type AssignInput, assignArms, type Exposure, HOLDOUT_ARM } from './assign.js';
import { banditLeader, DEFAULT_EXPLORE, thompsonPick } from './bandit.js';
import { fnv1a32 } from './bucket.js';
import { type ConversionHit, ExperimentLedger, type LedgerEvent } from './ledger.js';
import type { LedgerState, StatusValue } from './ledger-state.js';
import type { LedgerStore } from './ledger-store.js';

export interface ExperimentSettings {
  /** Confidence of intervals and of the sequential verdict (default 0.99). */
  confidence?: number;
  /** Promote winners when the sequential test concludes, unless an experiment says otherwise (default false). */
  autoPromote?: boolean;
  /** mSPRT mixing standard deviation (default 0.02). */
  tau?: number;
}

export interface ExperimentView {
  def: ExperimentDef;
  /** What promoted the current variant, when one is promoted. */
  promotedBy?: string;
  report: ExperimentReport;
  /** Holdout visitors, shown apart: they are not an arm of the comparison. */
  holdout?: ExperimentReport['arms'][number];
}

export interface ExperimentRuntimeOptions {
  node: string;
  settings?: ExperimentSettings;
  onChange?: () => void;
  /** Where the ledger lives (default: this process's memory). */
  store?: LedgerStore;
  now?: () => number;
  /** Hands background ledger writes to the host (the engine's `idle()` waits for them). */
  track?: (work: Promise<unknown>) => void;
  /** A ledger write that failed (the store is down): reported, the request goes on. */
  onError?: (error: unknown) => void;
}

export class ExperimentRuntime {
  readonly ledger: ExperimentLedger;
  /** Decision latency and segment sizes, for the dashboard. */
  readonly monitor = new DecisionMonitor();
  private defs: ExperimentDef[] = [];
  /** experiment → arm → running-minimum sequential p-value */
  private readonly seqP = new Map<string, Record<string, number>>();

  constructor(
    private readonly base: readonly ExperimentDef[],
    private readonly o: ExperimentRuntimeOptions,
  ) {
    this.ledger = new ExperimentLedger({
      node: o.node,
      ...(o.store ? { store: o.store } : {}),
      ...(o.now ? { now: o.now } : {}),
    });
    this.rebuild();
  }

  /** Load the ledger store's counts and statuses (on start). */
  async restore(): Promise<void> {
    await this.ledger.restore();
    this.rebuild();
  }

  /**
   * Fold in another node's ledger state (from the bus); `intoStore` keeps it
   * in a store of this node's own too, so a restart finds it.
   */
  merge(remote: LedgerState, opts: { intoStore?: boolean } = {}): void {
    const before = JSON.stringify(this.overrides());
    const changed = this.ledger.merge(remote);
    if (JSON.stringify(this.overrides()) !== before) this.rebuild();
    if (changed && opts.intoStore) void this.background(this.ledger.store.merge(remote), undefined);
  }

  private overrides(): Record<string, StatusValue> {
    const out: Record<string, StatusValue> = {};
    for (const d of this.base) {
      const r = this.ledger.status(d.key);
      if (r) out[d.key] = r.value;
    }
    return out;
  }

  private rebuild(): void {
    this.defs = this.base.map((d) => {
      const ov = this.ledger.status(d.key)?.value;
      if (!ov) return d;
      const next: ExperimentDef = { ...d };
      if (ov.status) next.status = ov.status;
      if (ov.promoted) next.promoted = ov.promoted;
      return next;
    });
    this.o.onChange?.();
  }

  private background<T>(work: Promise<T>, fallback: T): Promise<T> {
    const safe = work.catch((e) => {
      this.o.onError?.(e);
      return fallback;
    });
    this.o.track?.(safe);
    return safe;
  }

  /** The definitions in force on this node. */
  list(): readonly ExperimentDef[] {
    return this.defs;
  }

  get(key: string): ExperimentDef | undefined {
    return this.defs.find((d) => d.key === key);
  }

  assign(input: Omit<AssignInput, 'experiments' | 'remembered' | 'bandit'>): ArmEffects {
    const visitor = input.visitorId;
    // Fields written out rather than spread from `input`: a spread followed by more
    // properties is slow on Node 20, and this runs on every page.
    const full: AssignInput = {
      visitorId: visitor,
      rules: input.rules,
      profile: input.profile,
      segments: input.segments,
      experiments: this.defs,
      trace: input.trace,
      bandit: (exp, segment, id) => {
        const tallies = this.ledger.banditTally(
          exp.key,
          segment,
          exp.variants.map((v) => v.key),
        );
        const trials = tallies.reduce((a, t) => a + t.trials, 0);
        return thompsonPick(
          tallies,
          seededRandom(fnv1a32(`${exp.key}|${id}|${trials}`)),
          exp.explore ?? DEFAULT_EXPLORE,
        );
      },
    };
    if (visitor) full.remembered = (key: string) => this.ledger.armOf(visitor, key);
    return assignArms(full);
  }

  /**
   * Count the exposures a decision made (each once per visitor, whichever
   * node or page); resolves, once the store has them, to those counted now.
   * Never rejects: a store that is down costs the count, not the page.
   */
  exposed(
    visitor: string,
    exposures: readonly Exposure[],
  ): Promise<Array<{ experiment: string; arm: string; segment: string }>> {
    if (exposures.length === 0) return Promise.resolve([]);
    return this.background(this.ledger.expose(visitor, exposures), []);
  }

  /** Attribute a visitor's events; the bandits and sequential tests read the counts that result. */
  record(
    visitor: string,
    events: readonly LedgerEvent[],
    recSlots: ReadonlySet<string>,
  ): Promise<ConversionHit[]> {
    const keys = this.base.map((d) => d.key);
    const work = this.ledger.record(visitor, events, recSlots, keys).then((hits) => {
      const touched = new Set<string>();
      for (const h of hits) if (h.kind === 'purchase' && h.first) touched.add(h.experiment);
      for (const key of touched) this.look(key);
      return hits;
    });
    return this.background(work, []);
  }

  /**
   * Attribute events as they arrive at `/collect`: purchase value from
   * `props.value`, else the catalog price times `props.quantity` (default 1).
   */
  recordCollected(
    visitor: string,
    events: readonly TesseraEvent[],
    site: { catalog: ReadonlyMap<string, { price: number }>; recSlots: readonly string[] },
  ): Promise<ConversionHit[]> {
    let slots = this.recSlotSets.get(site.recSlots);
    if (!slots) {
      slots = new Set(site.recSlots);
      this.recSlotSets.set(site.recSlots, slots);
    }
    const valued: LedgerEvent[] = events.map((e) => {
      if (e.type !== 'purchase') return e;
      const given = e.props?.value;
      const qty = typeof e.props?.quantity === 'number' ? e.props.quantity : 1;
      const price = e.item ? site.catalog.get(e.item)?.price : undefined;
      const value = typeof given === 'number' && Number.isFinite(given) ? given : (price ?? 0) * qty;
      return { ...e, value };
    });
    return this.record(visitor, valued, slots);
  }

  private readonly recSlotSets = new WeakMap<readonly string[], ReadonlySet<string>>();

  private arms(def: ExperimentDef): Array<{ arm: string; weight: number }> {
    return def.variants.map((v) => ({ arm: v.key, weight: v.weight ?? 1 }));
  }

  /** One look of the sequential test; promotes when it concludes and auto-promotion is on. */
  look(key: string): ExperimentReport | undefined {
    const def = this.get(key);
    if (!def) return undefined;
    const s = this.o.settings ?? {};
    const report = experimentReport(this.ledger.totals(key, this.arms(def)), {
      confidence: s.confidence ?? 0.99,
      sequentialP: this.seqP.get(key) ?? {},
      ...(s.tau !== undefined ? { tau: s.tau } : {}),
    });
    const running: Record<string, number> = {};
    for (const c of report.comparisons) running[c.arm] = c.pSequential;
    this.seqP.set(key, running);
    const auto = def.autoPromote ?? s.autoPromote ?? false;
    if (auto && def.promoted === undefined && def.allocation !== 'thompson' && report.srm.pass) {
      const winner = report.comparisons.find((c) => c.significant);
      if (winner) {
        const best = winner.diff > 0 ? winner.arm : winner.control;
        void this.promote(key, best, 'sequential test');
      }
    }
    return report;
  }

  view(key: string): ExperimentView | undefined {
    const def = this.get(key);
    const report = this.look(key);
    if (!def || !report) return undefined;
    const view: ExperimentView = { def: this.get(key) ?? def, report };
    const by = this.ledger.status(key)?.value.promotedBy;
    if (by) view.promotedBy = by;
    if ((def.holdout ?? 0) > 0) {
      const h = experimentReport(this.ledger.totals(key, [{ arm: HOLDOUT_ARM, weight: 1 }])).arms[0];
      if (h) view.holdout = h;
    }
    return view;
  }

  /** Promote `arm` here at once; resolves once the store has it. */
  promote(key: string, arm: string, by: StatusValue['promotedBy'] = 'command'): Promise<void> {
    const def = this.base.find((d) => d.key === key);
    if (!def) throw new Error(`[tessera] [experiments] no experiment "${key}"`);
    if (!def.variants.some((v) => v.key === arm))
      throw new Error(`[tessera] [experiments] experiment "${key}" has no variant "${arm}"`);
    const value: StatusValue = { ...this.ledger.status(key)?.value, promoted: arm, promotedBy: by };
    return this.writeStatus(key, value);
  }

  private writeStatus(key: string, value: StatusValue): Promise<void> {
    const stored = this.ledger.setStatus(key, value);
    this.rebuild();
    return this.background(stored, undefined);
  }

  /** Bandits: stop learning and promote the arm with the best posterior mean (over every segment). */
  stopBandit(key: string): { leader: string | undefined; stored: Promise<void> } {
    const def = this.get(key);
    if (!def) return { leader: undefined, stored: Promise.resolve() };
    const arms = def.variants.map((v) => v.key);
    const totals = arms.map((arm) => ({ arm, trials: 0, wins: 0 }));
    for (const seg of this.ledger.segments(key)) {
      this.ledger.banditTally(key, seg, arms).forEach((t, i) => {
        totals[i]!.trials += t.trials;
        totals[i]!.wins += t.wins;
      });
    }
    const leader = banditLeader(totals);
    return { leader, stored: leader ? this.promote(key, leader, 'bandit') : Promise.resolve() };
  }

  /** Pause or resume here at once (resuming ends a promotion); resolves once the store has it. */
  setStatus(key: string, status: 'running' | 'paused'): Promise<void> {
    if (!this.base.some((d) => d.key === key))
      throw new Error(`[tessera] [experiments] no experiment "${key}"`);
    const value: StatusValue = { ...this.ledger.status(key)?.value, status };
    if (status === 'running') {
      delete value.promoted;
      delete value.promotedBy;
    }
    return this.writeStatus(key, value);
  }
}
