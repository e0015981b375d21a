/**
 * What the event stream says between two retrains: how popular each item is
 * now, which items the same visitors look at together (co-occurrence, the
 * item-kNN signal), and which item follows which in a session (the SR
 * signal). Counts are forward-decayed (weight · e^{(t−t0)/τ}, the profile's
 * trick), so old interest fades without a sweep; every row is bounded, and so
 * is the number of sessions followed, so memory does not grow with traffic.
 *
 * Runtime-agnostic: it sees `LoggedEvent`s, whoever delivers them.
 * @module
 */
import { EVENT_WEIGHTS, SESSION_WINDOW_MS } from '../../core/recommend/index.js';
import type { LoggedEvent } from '../../core/types.js';

/** Items of a visitor's session that a new one co-occurs with. */
const SESSION_ITEMS = 10;
/** Live neighbours kept per item: at least this many of the strongest survive a prune. */
const ROW_LIMIT = 64;
/**
 * A row grows to this many before it is pruned back to ROW_LIMIT in one pass. Pruning at every
 * new neighbour scanned a full row per event and pair (most of the cost of counting under
 * load); pruning by the batch costs a sort per ROW_SLACK new neighbours.
 */
const ROW_SLACK = 32;
/** Sessions followed at once; the least recently active is dropped first. */
const SESSION_LIMIT = 50_000;
/** Rebase the decay landmark before e^{(t−t0)/τ} grows past this exponent. */
const MAX_EXPONENT = 40;

interface Session {
  items: string[];
  last: number;
}

export type Row = Map<string, number>;

/** Scratch space for a prune's weights (a row never holds more than ROW_LIMIT + ROW_SLACK + 1). */
const weights = new Float64Array(ROW_LIMIT + ROW_SLACK + 1);

/** Keep the ROW_LIMIT strongest of a row, and `keep` (the neighbour just added) whatever its weight. */
function prune(row: Row, keep: string): void {
  let n = 0;
  for (const v of row.values()) weights[n++] = v;
  // The weakest weight that stays: those below it go, then as many at it as the limit needs.
  const cut = weights.subarray(0, n).sort()[n - ROW_LIMIT]!;
  for (const [k, v] of row) if (v < cut && k !== keep) row.delete(k);
  for (const [k, v] of row) {
    if (row.size <= ROW_LIMIT) break;
    if (v === cut && k !== keep) row.delete(k);
  }
}

function bump(rows: Map<string, Row>, from: string, to: string, w: number): void {
  let row = rows.get(from);
  if (!row) {
    row = new Map();
    rows.set(from, row);
  }
  const had = row.get(to);
  row.set(to, (had ?? 0) + w);
  if (had === undefined && row.size > ROW_LIMIT + ROW_SLACK) prune(row, to);
}

export class LiveCounts {
  readonly popularity = new Map<string, number>();
  readonly together = new Map<string, Row>();
  readonly next = new Map<string, Row>();
  private readonly sessions = new Map<string, Session>();
  private landmark: number | undefined;
  /** Events counted since the last reset. */
  events = 0;

  constructor(private readonly halfLifeMs: number) {}

  /** Forward-decay weight of an event at `ts` against the landmark. */
  private weight(ts: number): number {
    this.landmark ??= ts;
    const tau = this.halfLifeMs / Math.LN2;
    let x = (ts - this.landmark) / tau;
    if (x > MAX_EXPONENT) {
      this.rebase(ts);
      x = 0;
    }
    return Math.exp(x);
  }

  private rebase(ts: number): void {
    const f = Math.exp(-(ts - this.landmark!) / (this.halfLifeMs / Math.LN2));
    this.landmark = ts;
    for (const [k, v] of this.popularity) this.popularity.set(k, v * f);
    for (const rows of [this.together, this.next])
      for (const row of rows.values()) for (const [k, v] of row) row.set(k, v * f);
  }

  add(e: LoggedEvent): void {
    const typeWeight = e.item === undefined ? undefined : EVENT_WEIGHTS[e.type];
    if (typeWeight === undefined || e.item === undefined) return;
    const item = e.item;
    const w = typeWeight * this.weight(e.ts);
    this.events++;
    this.popularity.set(item, (this.popularity.get(item) ?? 0) + w);
    let s = this.sessions.get(e.visitor);
    if (!s || e.ts - s.last > SESSION_WINDOW_MS) s = { items: [], last: e.ts };
    // Re-inserted: the map's order is the least recently active first.
    this.sessions.delete(e.visitor);
    this.sessions.set(e.visitor, s);
    if (this.sessions.size > SESSION_LIMIT) this.sessions.delete(this.sessions.keys().next().value!);
    const previous = s.items.at(-1);
    if (previous === item) {
      s.last = e.ts;
      return; // a repeat (a reload, the beacon after the edge's own view) says nothing new
    }
    if (previous !== undefined) bump(this.next, previous, item, w);
    for (const other of s.items) {
      if (other === item) continue;
      bump(this.together, other, item, w);
      bump(this.together, item, other, w);
    }
    // In place (one array per session, not three per event): move `item` to the end, keep the last few.
    const at = s.items.indexOf(item);
    if (at >= 0) s.items.splice(at, 1);
    s.items.push(item);
    if (s.items.length > SESSION_ITEMS) s.items.shift();
    s.last = e.ts;
  }

  /** Forget everything (a retrain has just learned it). */
  clear(): void {
    this.popularity.clear();
    this.together.clear();
    this.next.clear();
    this.events = 0;
    this.landmark = undefined;
  }
}
