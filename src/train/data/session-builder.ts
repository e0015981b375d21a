/**
 * Click events → sessions: grouped by session id, each ordered by time (input
 * order breaks ties), sessions ordered by their first click. Shared by the
 * session TSV, OTTO and event-log readers.
 * @module
 */
import type { Session, SessionData } from '../model-types.js';
import type { IdTable } from './id-space.js';

export class SessionBuilder {
  private readonly byId = new Map<string, { items: number[]; ts: number[] }>();

  constructor(readonly items: IdTable) {}

  add(session: string, item: string, ts: number): void {
    let s = this.byId.get(session);
    if (s === undefined) {
      s = { items: [], ts: [] };
      this.byId.set(session, s);
    }
    s.items.push(this.items.intern(item));
    s.ts.push(ts);
  }

  /**
   * With `collapseRepeats`, a click on the item just clicked (a reload, a
   * view then a click) folds into the first; `merged` counts those. The
   * caller must say: session-rec keeps repeats, and evaluating on folded
   * sessions gives numbers that cannot be compared with published ones.
   */
  build(collapseRepeats: boolean): { data: SessionData; merged: number } {
    const sessions: Session[] = [];
    let merged = 0;
    for (const [id, s] of this.byId) {
      const order = s.items.map((_, i) => i);
      if (!isSorted(s.ts)) order.sort((a, b) => s.ts[a]! - s.ts[b]! || a - b);
      const items: number[] = [];
      const ts: number[] = [];
      for (const i of order) {
        if (collapseRepeats && items.length > 0 && items[items.length - 1] === s.items[i]) {
          merged++;
          continue;
        }
        items.push(s.items[i]!);
        ts.push(s.ts[i]!);
      }
      sessions.push({ id, items: Int32Array.from(items), ts: Float64Array.from(ts) });
    }
    sessions.sort((a, b) => (a.ts[0] ?? 0) - (b.ts[0] ?? 0));
    return { data: { itemIds: this.items.ids.slice(), sessions }, merged };
  }
}

function isSorted(ts: number[]): boolean {
  for (let i = 1; i < ts.length; i++) if (ts[i]! < ts[i - 1]!) return false;
  return true;
}

/** The same sessions over a larger item table (ids only ever get appended). */
export function widenSessions(data: SessionData, items: IdTable): SessionData {
  return { itemIds: items.ids.slice(), sessions: data.sessions };
}
