/**
 * This node's tally of every experiment: per arm, the unique visitors
 * exposed, and of those the unique visitors who clicked a recommended item,
 * added to cart or purchased, plus revenue. Conversions count only for
 * visitors already exposed, and only once per visitor (revenue once per
 * purchase event id), so retried beacons and repeat pages change nothing.
 *
 * Why a ledger beside the event log: the exposure itself is logged as an
 * event (see `exposureEvent`), deduplicated by the log on (visitor, id), so
 * the log stays the source of truth for offline analysis; the ledger is the
 * running aggregate the dashboard, the sequential test and the bandits read
 * on every decision without scanning the log.
 * @module
 */
import type { ArmTotals } from '../../stats/report.js';
import type { TesseraEvent } from '../types.js';

interface ArmTally {
  visitors: Set<string>;
  converted: Set<string>;
  clicked: Set<string>;
  carted: Set<string>;
  revenue: number;
}

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

/**
 * Revenue plus one purchase's value, never a non-finite number: events are
 * bounded at validation, but the ledger is read on every decision and
 * serialized for the dashboard (Infinity becomes null there), so it checks
 * again. A value that is not a finite, non-negative number adds nothing, and
 * a sum that would overflow stays where it was.
 */
function addRevenue(total: number, value: number | undefined): number {
  if (value === undefined || !Number.isFinite(value) || value <= 0) return total;
  const next = total + value;
  return Number.isFinite(next) ? next : total;
}

const newTally = (): ArmTally => ({
  visitors: new Set(),
  converted: new Set(),
  clicked: new Set(),
  carted: new Set(),
  revenue: 0,
});

export class ExperimentLedger {
  /** experiment → arm → tally */
  private readonly tallies = new Map<string, Map<string, ArmTally>>();
  /** visitor → experiment → { arm, segment } */
  private readonly assignments = new Map<string, Map<string, { arm: string; segment: string }>>();
  private readonly purchases = new Set<string>();

  private tally(experiment: string, arm: string): ArmTally {
    let arms = this.tallies.get(experiment);
    if (!arms) {
      arms = new Map();
      this.tallies.set(experiment, arms);
    }
    let t = arms.get(arm);
    if (!t) {
      t = newTally();
      arms.set(arm, t);
    }
    return t;
  }

  /** Record an exposure; false when this visitor was already counted in this experiment. */
  expose(visitor: string, experiment: string, arm: string, segment = '*'): boolean {
    let mine = this.assignments.get(visitor);
    if (!mine) {
      mine = new Map();
      this.assignments.set(visitor, mine);
    }
    if (mine.has(experiment)) return false;
    mine.set(experiment, { arm, segment });
    this.tally(experiment, arm).visitors.add(visitor);
    return true;
  }

  /** The arm this node assigned the visitor, if any. */
  armOf(visitor: string, experiment: string): string | undefined {
    return this.assignments.get(visitor)?.get(experiment)?.arm;
  }

  /**
   * Attribute a visitor's events to their arms. `recSlots` names the
   * recommendation slots: a click counts when the collector says it came
   * from one of them.
   */
  record(visitor: string, events: readonly LedgerEvent[], recSlots: ReadonlySet<string>): ConversionHit[] {
    const mine = this.assignments.get(visitor);
    if (!mine) return [];
    const hits: ConversionHit[] = [];
    for (const e of events) {
      const kind =
        e.type === 'purchase' || e.type === 'add_to_cart'
          ? e.type
          : e.type === 'click' && typeof e.props?.slot === 'string' && recSlots.has(e.props.slot)
            ? 'click'
            : undefined;
      if (!kind) continue;
      const purchaseKey = `${visitor}\u0000${e.id}`;
      const newPurchase = kind === 'purchase' && !this.purchases.has(purchaseKey);
      if (newPurchase) this.purchases.add(purchaseKey);
      for (const [experiment, { arm, segment }] of mine) {
        const t = this.tally(experiment, arm);
        let first = false;
        if (kind === 'purchase') {
          first = !t.converted.has(visitor);
          t.converted.add(visitor);
          if (newPurchase) t.revenue = addRevenue(t.revenue, e.value);
        } else if (kind === 'add_to_cart') t.carted.add(visitor);
        else t.clicked.add(visitor);
        hits.push({ experiment, arm, segment, kind, first });
      }
    }
    return hits;
  }

  /** Totals per arm in the order given (weights attached for the SRM check). */
  totals(experiment: string, arms: ReadonlyArray<{ arm: string; weight: number }>): ArmTotals[] {
    return arms.map(({ arm, weight }) => {
      const t = this.tallies.get(experiment)?.get(arm) ?? newTally();
      return {
        arm,
        weight,
        visitors: t.visitors.size,
        converted: t.converted.size,
        clicked: t.clicked.size,
        carted: t.carted.size,
        revenue: t.revenue,
      };
    });
  }

  /** Forget an experiment's counts (after a definition change that restarts it). */
  reset(experiment: string): void {
    this.tallies.delete(experiment);
    for (const m of this.assignments.values()) m.delete(experiment);
  }
}
