/**
 * Item-to-item neighbours from sessions: two items seen in the same session
 * co-occur once. Similarity is cosine on session counts, shrunk towards 0 when
 * the pair was seen only a few times:
 *
 *   sim(a, b) = c_ab / √(n_a · n_b) · c_ab / (c_ab + SHRINKAGE)
 *
 * where c_ab counts sessions holding both and n_a sessions holding a. The
 * shrinkage keeps one lucky co-view from outranking a well-attested pair.
 * Each session contributes its first MAX_SESSION_ITEMS distinct items, which
 * bounds the pair count per session (bots and marathon sessions).
 * @module
 */
import { TopK } from './top-k.js';

export const SHRINKAGE = 5;
export const MAX_SESSION_ITEMS = 50;

export interface CooccurrenceResult {
  neighbours: Array<Array<[number, number]>>;
  /** Item events of known items that were used. */
  interactions: number;
  /** Per item: co-occurrence observations (pairs it took part in), the evidence behind its list. */
  observations: Uint32Array;
}

export function cooccurrenceNeighbours(
  sessions: Iterable<string[]>,
  index: Map<string, number>,
  k: number,
): CooccurrenceResult {
  let n = 0;
  for (const i of index.values()) n = Math.max(n, i + 1);
  const rows: Array<Map<number, number> | undefined> = new Array(n);
  const sessionCount = new Float64Array(n);
  const observations = new Uint32Array(n);
  let interactions = 0;
  const uniq: number[] = [];
  const inSession = new Set<number>();

  for (const session of sessions) {
    uniq.length = 0;
    inSession.clear();
    for (const id of session) {
      const i = index.get(id);
      if (i === undefined) continue;
      interactions++;
      if (uniq.length < MAX_SESSION_ITEMS && !inSession.has(i)) {
        inSession.add(i);
        uniq.push(i);
      }
    }
    for (let x = 0; x < uniq.length; x++) {
      const a = uniq[x]!;
      sessionCount[a]!++;
      for (let y = x + 1; y < uniq.length; y++) {
        const b = uniq[y]!;
        bump(rows, a, b);
        bump(rows, b, a);
        observations[a]!++;
        observations[b]!++;
      }
    }
  }

  const top = new TopK(k);
  const neighbours: Array<Array<[number, number]>> = new Array(n);
  for (let a = 0; a < n; a++) {
    const row = rows[a];
    if (row === undefined) {
      neighbours[a] = [];
      continue;
    }
    top.reset();
    for (const [b, c] of row) {
      const cosine = c / Math.sqrt(sessionCount[a]! * sessionCount[b]!);
      top.push(b, cosine * (c / (c + SHRINKAGE)));
    }
    neighbours[a] = top.result();
  }
  return { neighbours, interactions, observations };
}

function bump(rows: Array<Map<number, number> | undefined>, a: number, b: number): void {
  let row = rows[a];
  if (row === undefined) {
    row = new Map();
    rows[a] = row;
  }
  row.set(b, (row.get(b) ?? 0) + 1);
}
