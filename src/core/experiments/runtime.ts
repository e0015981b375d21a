/**
 * The experiments a node runs: the site's definitions with this node's
 * overrides (pause, resume, promote), the ledger of exposures and
 * conversions, the bandit counters, and each experiment's always-valid
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
import { BanditCounters, banditLeader, DEFAULT_EXPLORE, thompsonPick } from './bandit.js';
import { fnv1a32 } from './bucket.js';
import { type ConversionHit, ExperimentLedger, type LedgerEvent } from './ledger.js';

export interface ExperimentSettings {
  /** Confidence of intervals and of the sequential verdict (default 0.99). */
  confidence?: number;
  /** Promote winners when the sequential test concludes, unless an experiment says otherwise (default false). */
  autoPromote?: boolean;
  /** mSPRT mixing standard deviation (default 0.02). */
  tau?: number;
}

interface Override {
  status?: 'running' | 'paused';
  promoted?: string;
  promotedBy?: 'command' | 'sequential test' | 'bandit';
}

export interface ExperimentView {
  def: ExperimentDef;
  /** What promoted the current variant, when one is promoted. */
  promotedBy?: string;
  report: ExperimentReport;
  /** Holdout visitors, shown apart: they are not an arm of the comparison. */
  holdout?: ExperimentReport['arms'][number];
}

export class ExperimentRuntime {
  readonly ledger = new ExperimentLedger();
  /** Decision latency and segment sizes, for the dashboard. */
  readonly monitor = new DecisionMonitor();
  readonly bandits: BanditCounters;
  private readonly overrides = new Map<string, Override>();
  private defs: ExperimentDef[] = [];
  /** experiment → arm → running-minimum sequential p-value */
  private readonly seqP = new Map<string, Record<string, number>>();

  constructor(
    private readonly base: readonly ExperimentDef[],
    private readonly o: { node: string; settings?: ExperimentSettings; onChange?: () => void },
  ) {
    this.bandits = new BanditCounters(o.node);
    this.rebuild();
  }

  private rebuild(): void {
    this.defs = this.base.map((d) => {
      const ov = this.overrides.get(d.key);
      if (!ov) return d;
      const next: ExperimentDef = { ...d };
      if (ov.status) next.status = ov.status;
      if (ov.promoted) next.promoted = ov.promoted;
      return next;
    });
    this.o.onChange?.();
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
    return assignArms({
      ...input,
      experiments: this.defs,
      ...(visitor ? { remembered: (key: string) => this.ledger.armOf(visitor, key) } : {}),
      bandit: (exp, segment, id) => {
        const tallies = this.bandits.tally(
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
    });
  }

  /** Count the exposures a decision made (each once per visitor); returns those counted now. */
  exposed(visitor: string, exposures: readonly Exposure[]): Exposure[] {
    const counted: Exposure[] = [];
    for (const x of exposures) {
      if (!this.ledger.expose(visitor, x.experiment, x.arm, x.segment)) continue;
      counted.push(x);
      if (x.arm !== HOLDOUT_ARM) this.bandits.trial(x.experiment, x.segment, x.arm);
    }
    return counted;
  }

  /** Attribute a visitor's events; updates bandits and sequential tests. */
  record(visitor: string, events: readonly LedgerEvent[], recSlots: ReadonlySet<string>): ConversionHit[] {
    const hits = this.ledger.record(visitor, events, recSlots);
    const touched = new Set<string>();
    for (const h of hits) {
      if (h.kind !== 'purchase' || !h.first) continue;
      if (h.arm !== HOLDOUT_ARM) this.bandits.win(h.experiment, h.segment, h.arm);
      touched.add(h.experiment);
    }
    for (const key of touched) this.look(key);
    return hits;
  }

  /**
   * Attribute events as they arrive at `/collect`: purchase value from
   * `props.value`, else the catalog price times `props.quantity` (default 1).
   */
  recordCollected(
    visitor: string,
    events: readonly TesseraEvent[],
    site: { catalog: ReadonlyMap<string, { price: number }>; recSlots: readonly string[] },
  ): ConversionHit[] {
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
        this.promote(key, best, 'sequential test');
      }
    }
    return report;
  }

  view(key: string): ExperimentView | undefined {
    const def = this.get(key);
    const report = this.look(key);
    if (!def || !report) return undefined;
    const view: ExperimentView = { def: this.get(key) ?? def, report };
    const by = this.overrides.get(key)?.promotedBy;
    if (by) view.promotedBy = by;
    if ((def.holdout ?? 0) > 0) {
      const h = experimentReport(this.ledger.totals(key, [{ arm: HOLDOUT_ARM, weight: 1 }])).arms[0];
      if (h) view.holdout = h;
    }
    return view;
  }

  promote(key: string, arm: string, by: Override['promotedBy'] = 'command'): void {
    const def = this.base.find((d) => d.key === key);
    if (!def) throw new Error(`[tessera] [experiments] no experiment "${key}"`);
    if (!def.variants.some((v) => v.key === arm))
      throw new Error(`[tessera] [experiments] experiment "${key}" has no variant "${arm}"`);
    this.overrides.set(key, { ...this.overrides.get(key), promoted: arm, promotedBy: by });
    this.rebuild();
  }

  /** Bandits: stop learning and promote the arm with the best posterior mean (over every segment). */
  stopBandit(key: string): string | undefined {
    const def = this.get(key);
    if (!def) return undefined;
    const arms = def.variants.map((v) => v.key);
    const totals = arms.map((arm) => ({ arm, trials: 0, wins: 0 }));
    for (const seg of this.bandits.segments(key)) {
      this.bandits.tally(key, seg, arms).forEach((t, i) => {
        totals[i]!.trials += t.trials;
        totals[i]!.wins += t.wins;
      });
    }
    const leader = banditLeader(totals);
    if (leader) this.promote(key, leader, 'bandit');
    return leader;
  }

  setStatus(key: string, status: 'running' | 'paused'): void {
    if (!this.base.some((d) => d.key === key))
      throw new Error(`[tessera] [experiments] no experiment "${key}"`);
    const ov = { ...this.overrides.get(key), status };
    if (status === 'running') {
      delete ov.promoted;
      delete ov.promotedBy;
    }
    this.overrides.set(key, ov);
    this.rebuild();
  }
}
