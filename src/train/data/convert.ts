/**
 * One dataset, the other protocol's shape: sessions as session × item
 * interactions (for top-k), and interactions as one time-ordered session per
 * user (for next-item on ratings data such as MovieLens).
 * @module
 */
import type { Interactions, Session, SessionData } from '../model-types.js';
import { fromTriples } from './id-space.js';

/** Each session becomes a user; repeated clicks on an item add up. */
export function sessionsToInteractions(data: SessionData): Interactions {
  const rows = { u: [] as number[], i: [] as number[], v: [] as number[], t: [] as number[] };
  data.sessions.forEach((s, u) => {
    for (let j = 0; j < s.items.length; j++) {
      rows.u.push(u);
      rows.i.push(s.items[j]!);
      rows.v.push(1);
      rows.t.push(s.ts[j]!);
    }
  });
  const userIds = data.sessions.map((s) => s.id);
  return fromTriples(userIds, data.itemIds, rows, 'sum').data;
}

/** Each user's interactions in time order become one session (times unknown keep item order). */
export function interactionsToSessions(data: Interactions): SessionData {
  const sessions: Session[] = [];
  for (let u = 0; u < data.userIds.length; u++) {
    const p0 = data.rowPtr[u]!;
    const p1 = data.rowPtr[u + 1]!;
    if (p1 === p0) continue;
    const order = Array.from({ length: p1 - p0 }, (_, j) => p0 + j);
    order.sort((a, b) => (data.ts[a]! || 0) - (data.ts[b]! || 0) || a - b);
    sessions.push({
      id: data.userIds[u]!,
      items: Int32Array.from(order, (p) => data.col[p]!),
      ts: Float64Array.from(order, (p) => data.ts[p]!),
    });
  }
  return { itemIds: data.itemIds, sessions };
}
