/**
 * The session section of the artifact: per item, the sequential-rules (SR)
 * successors, so the edge can score the visitor's current session from the
 * artifact alone. SR itself is the trainer's faithful implementation
 * (algorithms/sr.ts); this file adapts the event log to it and its rules to
 * the artifact's neighbour rows, scaled so each item's best rule scores 1
 * (the edge adds them to item-neighbour scores, which are also ≤ 1).
 * @module
 */
import { SequentialRules } from './algorithms/sr.js';
import type { Session } from './model-types.js';

export const DEFAULT_SESSION_K = 20;

export function sessionSuccessors(
  sessions: readonly string[][],
  itemIds: readonly string[],
  index: Map<string, number>,
  k = DEFAULT_SESSION_K,
): Array<Array<[number, number]>> {
  const data: Session[] = [];
  sessions.forEach((s, n) => {
    const items: number[] = [];
    for (const id of s) {
      const i = index.get(id);
      if (i !== undefined) items.push(i);
    }
    if (items.length > 1) {
      data.push({
        id: String(n),
        items: Int32Array.from(items),
        ts: new Float64Array(items.length).fill(Number.NaN),
      });
    }
  });
  const model = new SequentialRules(10, k);
  model.fit({ itemIds: [...itemIds], sessions: data });
  const { ptr, item, score } = model.rules;
  const out: Array<Array<[number, number]>> = new Array(itemIds.length);
  for (let a = 0; a < itemIds.length; a++) {
    const row: Array<[number, number]> = [];
    const from = ptr[a] ?? 0;
    const to = Math.min(ptr[a + 1] ?? from, from + k);
    const top = to > from ? score[from]! : 0;
    for (let r = from; r < to; r++) {
      const b = item[r]!;
      if (b !== a && top > 0) row.push([b, score[r]! / top]);
    }
    out[a] = row;
  }
  return out;
}
