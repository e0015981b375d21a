/**
 * Training sessions packed for the session models: sessions ordered by their
 * last click (so a higher index is a more recent session, and "most recent
 * sample" is "highest indices"), their clicks in order, their distinct items,
 * and for each item the sessions that hold it (ascending, so by recency).
 * @module
 */
import type { SessionData } from '../model-types.js';

export interface SessionIndex {
  items: number;
  sessions: number;
  /** Clicks of session s: clicks[clickPtr[s] .. clickPtr[s+1]). */
  clickPtr: Int32Array;
  clicks: Int32Array;
  /** Distinct items of session s: distinct[setPtr[s] .. setPtr[s+1]). */
  setPtr: Int32Array;
  distinct: Int32Array;
  /** Epoch ms of the session's last click (NaN when unknown). */
  lastTime: Float64Array;
  /** Sessions holding item i: itemSessions[itemPtr[i] .. itemPtr[i+1]), ascending. */
  itemPtr: Int32Array;
  itemSessions: Int32Array;
}

function lastTs(ts: Float64Array): number {
  return ts.length > 0 ? ts[ts.length - 1]! : Number.NaN;
}

export function indexSessions(data: SessionData): SessionIndex {
  const n = data.itemIds.length;
  const order = data.sessions
    .map((s, i) => ({ s, i, t: lastTs(s.ts) }))
    .filter((x) => x.s.items.length > 0)
    // Unknown times keep the given order; stable sort keeps ties in input order.
    .sort((a, b) => (Number.isNaN(a.t) || Number.isNaN(b.t) ? a.i - b.i : a.t - b.t || a.i - b.i));
  const m = order.length;
  const clickPtr = new Int32Array(m + 1);
  for (let s = 0; s < m; s++) clickPtr[s + 1] = clickPtr[s]! + order[s]!.s.items.length;
  const clicks = new Int32Array(clickPtr[m]!);
  const lastTime = new Float64Array(m);
  const setPtr = new Int32Array(m + 1);
  const distinctTmp: number[] = [];
  const seen = new Int32Array(n).fill(-1);
  for (let s = 0; s < m; s++) {
    const sess = order[s]!.s;
    clicks.set(sess.items, clickPtr[s]!);
    lastTime[s] = order[s]!.t;
    for (const it of sess.items) {
      if (seen[it] === s) continue;
      seen[it] = s;
      distinctTmp.push(it);
    }
    setPtr[s + 1] = distinctTmp.length;
  }
  const distinct = Int32Array.from(distinctTmp);
  const itemPtr = new Int32Array(n + 1);
  for (const it of distinct) itemPtr[it + 1]!++;
  for (let i = 0; i < n; i++) itemPtr[i + 1]! += itemPtr[i]!;
  const fill = itemPtr.slice(0, n);
  const itemSessions = new Int32Array(distinct.length);
  for (let s = 0; s < m; s++)
    for (let e = setPtr[s]!; e < setPtr[s + 1]!; e++) itemSessions[fill[distinct[e]!]!++] = s;
  return { items: n, sessions: m, clickPtr, clicks, setPtr, distinct, lastTime, itemPtr, itemSessions };
}
