/**
 * Pairwise rules between items mined from sessions, shared by AR and SR: for
 * each item a, every click of a in a session hands a weight to some of the
 * other clicks of that session, which the caller chooses by position. The
 * weights of a are summed in one dense accumulator and pruned to the
 * `pruning` strongest (0 keeps all), as session-rec's `prune` does.
 * @module
 */
import { TopK } from '../top-k.js';
import type { SessionIndex } from './session-index.js';

export interface Rules {
  ptr: Int32Array;
  item: Int32Array;
  score: Float32Array;
}

/**
 * `weight(q, r)`: the weight the click at absolute position q gives the click
 * at r of the same session [from, to), or 0. Called for r in the window the
 * caller returns from `window(q, from, to)`.
 */
export function mineRules(
  idx: SessionIndex,
  pruning: number,
  window: (q: number, from: number, to: number) => [number, number],
  weight: (q: number, r: number) => number,
): Rules {
  const n = idx.items;
  // Occurrences of each item: absolute click positions, and their session bounds.
  const occPtr = new Int32Array(n + 1);
  for (const it of idx.clicks) occPtr[it + 1]!++;
  for (let i = 0; i < n; i++) occPtr[i + 1]! += occPtr[i]!;
  const fill = occPtr.slice(0, n);
  const occ = new Int32Array(idx.clicks.length);
  const occSess = new Int32Array(idx.clicks.length);
  for (let s = 0; s < idx.sessions; s++)
    for (let q = idx.clickPtr[s]!; q < idx.clickPtr[s + 1]!; q++) {
      const at = fill[idx.clicks[q]!]!++;
      occ[at] = q;
      occSess[at] = s;
    }
  const acc = new Float64Array(n);
  const touched = new Int32Array(n);
  const lists: Array<Array<[number, number]>> = new Array(n);
  let total = 0;
  for (let a = 0; a < n; a++) {
    let nt = 0;
    for (let o = occPtr[a]!; o < occPtr[a + 1]!; o++) {
      const q = occ[o]!;
      const s = occSess[o]!;
      const [lo, hi] = window(q, idx.clickPtr[s]!, idx.clickPtr[s + 1]!);
      for (let r = lo; r < hi; r++) {
        const w = weight(q, r);
        if (w === 0) continue;
        const b = idx.clicks[r]!;
        if (acc[b] === 0) touched[nt++] = b;
        acc[b]! += w;
      }
    }
    const top = new TopK(pruning > 0 ? Math.min(pruning, nt) : nt);
    for (let x = 0; x < nt; x++) {
      const b = touched[x]!;
      top.push(b, acc[b]!);
      acc[b] = 0;
    }
    const list = top.result();
    lists[a] = list;
    total += list.length;
  }
  const ptr = new Int32Array(n + 1);
  const item = new Int32Array(total);
  const score = new Float32Array(total);
  for (let a = 0; a < n; a++) {
    const list = lists[a]!;
    ptr[a + 1] = ptr[a]! + list.length;
    for (let r = 0; r < list.length; r++) {
      item[ptr[a]! + r] = list[r]![0];
      score[ptr[a]! + r] = list[r]![1];
    }
  }
  return { ptr, item, score };
}

/** The rules of the prefix's last item, best first, at most k — how AR and SR predict. */
export function predictFromLast(rules: Rules, prefix: ArrayLike<number>, k: number): Int32Array {
  if (prefix.length === 0) return new Int32Array(0);
  const last = prefix[prefix.length - 1]!;
  if (last < 0 || last + 1 >= rules.ptr.length) return new Int32Array(0);
  const from = rules.ptr[last]!;
  const to = Math.min(rules.ptr[last + 1]!, from + k);
  return rules.item.slice(from, to);
}
