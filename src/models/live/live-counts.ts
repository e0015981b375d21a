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
import { BoundedRow } from './bounded-row.js';

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
  /** The last few distinct items (interned), oldest first. */
  items: number[];
  last: number;
}

export type Row = BoundedRow;

/** Scratch space for a prune's sort (a row never holds more than ROW_LIMIT + ROW_SLACK + 1). */
const scratch = new Float64Array(ROW_LIMIT + ROW_SLACK + 1);

/**
 * Rows by item, twice: by interned number for counting (an array index), and
 * by item id for readers (`together`, `next`).
 */
class Rows {
  readonly byItem = new Map<string, Row>();
  private byId: Array<Row | undefined> = [];

  constructor(private readonly names: readonly string[]) {}

  of(id: number): Row {
    let row = this.byId[id];
    if (!row) {
      row = new BoundedRow(ROW_LIMIT, ROW_SLACK, this.names, scratch);
      this.byId[id] = row;
      this.byItem.set(this.names[id]!, row);
    }
    return row;
  }

  clear(): void {
    this.byItem.clear();
    this.byId = [];
  }
}

export class LiveCounts {
  readonly popularity = new Map<string, number>();
  /** Item ids as small numbers (rows and sessions hold those), and back. */
  private readonly index = new Map<string, number>();
  private readonly names: string[] = [];
  private readonly togetherRows = new Rows(this.names);
  private readonly nextRows = new Rows(this.names);
  /** Co-occurrence rows by item: which items the same visitors looked at within a session. */
  readonly together = this.togetherRows.byItem;
  /** Successor rows by item: which item came right after it in a session. */
  readonly next = this.nextRows.byItem;
  private readonly sessions = new Map<string, Session>();
  private landmark: number | undefined;
  /** Events counted since the last reset. */
  events = 0;

  constructor(private readonly halfLifeMs: number) {}

  private intern(item: string): number {
    let id = this.index.get(item);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(item);
      this.index.set(item, id);
    }
    return id;
  }

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
    for (const rows of [this.together, this.next]) for (const row of rows.values()) row.scale(f);
  }

  add(e: LoggedEvent): void {
    this.addAll([e]);
  }

  /**
   * Count events in the order given. A run of one visitor's events (a `/collect` batch) looks
   * its session up and moves it to the most recent end once, not once per event.
   */
  addAll(events: readonly LoggedEvent[]): void {
    let visitor: string | undefined;
    let s: Session | undefined;
    for (const e of events) {
      const typeWeight = e.item === undefined ? undefined : EVENT_WEIGHTS[e.type];
      if (typeWeight === undefined || e.item === undefined) continue;
      if (e.visitor !== visitor) {
        if (s) this.touch(visitor!, s);
        visitor = e.visitor;
        s = this.sessions.get(visitor);
      }
      s = this.count(s, this.intern(e.item), typeWeight * this.weight(e.ts), e.ts);
    }
    if (s) this.touch(visitor!, s);
  }

  /** Re-inserted: the sessions map's order is the least recently active first. */
  private touch(visitor: string, s: Session): void {
    this.sessions.delete(visitor);
    this.sessions.set(visitor, s);
    if (this.sessions.size > SESSION_LIMIT) this.sessions.delete(this.sessions.keys().next().value!);
  }

  /** Counts one event of weight `w` for `item` in session `s` (a new one past the window); returns the session. */
  private count(s: Session | undefined, item: number, w: number, ts: number): Session {
    this.events++;
    const name = this.names[item]!;
    this.popularity.set(name, (this.popularity.get(name) ?? 0) + w);
    if (!s || ts - s.last > SESSION_WINDOW_MS) s = { items: [], last: ts };
    const items = s.items;
    const previous = items.at(-1);
    if (previous === item) {
      s.last = ts;
      return s; // a repeat (a reload, the beacon after the edge's own view) says nothing new
    }
    if (previous !== undefined) this.nextRows.of(previous).add(item, w);
    // The item's own row once, not once per other item of the session.
    const own = items.length > 0 ? this.togetherRows.of(item) : undefined;
    for (const other of items) {
      if (other === item) continue;
      this.togetherRows.of(other).add(item, w);
      own!.add(other, w);
    }
    // In place (one array per session, not three per event): move `item` to the end, keep the last few.
    const at = items.indexOf(item);
    if (at >= 0) items.splice(at, 1);
    items.push(item);
    if (items.length > SESSION_ITEMS) items.shift();
    s.last = ts;
    return s;
  }

  /** Forget everything (a retrain has just learned it). */
  clear(): void {
    this.popularity.clear();
    this.togetherRows.clear();
    this.nextRows.clear();
    // Only sessions still name items: intern theirs again, so the table does not keep every item
    // id ever sent (any client can send new ones) from one retrain to the next.
    const old = this.names.splice(0);
    this.index.clear();
    for (const s of this.sessions.values())
      for (let i = 0; i < s.items.length; i++) s.items[i] = this.intern(old[s.items[i]!]!);
    this.events = 0;
    this.landmark = undefined;
  }
}
