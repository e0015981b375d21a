/**
 * The neighbour search shared by S-kNN and STAN: candidate sessions are those
 * holding any item of the current session; when there are more than
 * `sampleSize`, the most recent ones are kept (session-rec's
 * `sampling='recent'`). Then each candidate gets a similarity from the caller
 * and the best `k` are kept. Scratch arrays are reused across calls, so a
 * model answers one prediction at a time.
 * @module
 */
import type { SessionIndex } from './session-index.js';

export class NeighbourSearch {
  private readonly stamp: Int32Array;
  private readonly found: Int32Array;
  private epoch = 0;
  readonly ids: Int32Array;
  readonly sims: Float64Array;
  size = 0;

  constructor(
    readonly idx: SessionIndex,
    private readonly sampleSize: number,
    private readonly k: number,
  ) {
    this.stamp = new Int32Array(idx.sessions).fill(-1);
    this.found = new Int32Array(idx.sessions);
    this.ids = new Int32Array(k);
    this.sims = new Float64Array(k);
  }

  /** Candidate sessions (most recent first), at most sampleSize (0 = all). */
  candidates(prefix: ArrayLike<number>): Int32Array {
    const { idx } = this;
    const e = ++this.epoch;
    let nf = 0;
    for (let p = 0; p < prefix.length; p++) {
      const it = prefix[p]!;
      if (it < 0 || it >= idx.items) continue;
      for (let q = idx.itemPtr[it]!; q < idx.itemPtr[it + 1]!; q++) {
        const s = idx.itemSessions[q]!;
        if (this.stamp[s] === e) continue;
        this.stamp[s] = e;
        this.found[nf++] = s;
      }
    }
    const all = this.found.subarray(0, nf).sort().reverse();
    return this.sampleSize > 0 && nf > this.sampleSize ? all.subarray(0, this.sampleSize) : all;
  }

  /** Keeps the k most similar of `candidates` (ties: the more recent session); zero similarities are dropped. */
  select(candidates: Int32Array, similarity: (s: number) => number): void {
    const { ids, sims, k } = this;
    this.size = 0;
    for (let c = 0; c < candidates.length; c++) {
      const s = candidates[c]!;
      const sim = similarity(s);
      if (!(sim > 0)) continue;
      // Candidates come most recent first, so a strict comparison keeps the recent one on ties.
      if (this.size === k && sim <= sims[k - 1]!) continue;
      let pos = this.size < k ? this.size++ : k - 1;
      while (pos > 0 && sim > sims[pos - 1]!) {
        ids[pos] = ids[pos - 1]!;
        sims[pos] = sims[pos - 1]!;
        pos--;
      }
      ids[pos] = s;
      sims[pos] = sim;
    }
  }
}
