/**
 * Session-based kNN (S-kNN), as defined by Ludewig & Jannach (UMUAI 2018)
 * and implemented in session-rec's algorithms/knn/sknn.py (ContextKNN): the
 * current session is compared with past sessions that share an item with it
 * (the `sampleSize` most recent of them), by cosine similarity of the binary
 * item sets, |A ∩ B| / √(|A|·|B|); the k most similar are the neighbours, and
 * an item's score is the sum of the similarities of the neighbours holding it.
 * (sknn.py's `cosine` reads `li / sqrt(la) * sqrt(lb)`, an operator-precedence
 * slip; we follow the paper's cosine.) `lastN` > 0 compares only the last N
 * clicks, as vsknn.py's `last_n_clicks`; candidates still come from the whole
 * session, as there.
 * @module
 */
import type { SessionData, SessionModel, Tunable } from '../model-types.js';
import { TopK } from '../top-k.js';
import { indexSessions, type SessionIndex } from './session-index.js';
import { NeighbourSearch } from './session-neighbours.js';

export interface SknnParams {
  k: number;
  sampleSize: number;
  lastN: number;
}

export class SessionKnn implements SessionModel {
  readonly name = 'sknn';
  readonly params: Record<string, number>;
  readonly p: SknnParams;
  private idx: SessionIndex | undefined;
  private search: NeighbourSearch | undefined;
  private inSession = new Int32Array(0);
  private scores = new Float64Array(0);
  private touched = new Int32Array(0);
  private epoch = 0;

  constructor(params: Partial<SknnParams> = {}) {
    this.p = { k: 100, sampleSize: 500, lastN: 0, ...params };
    this.params = { ...this.p };
  }

  fit(train: SessionData): void {
    this.idx = indexSessions(train);
    this.search = new NeighbourSearch(this.idx, this.p.sampleSize, this.p.k);
    this.inSession = new Int32Array(this.idx.items).fill(-1);
    this.scores = new Float64Array(this.idx.items);
    this.touched = new Int32Array(this.idx.items);
  }

  /** The neighbours of the session (for tests and traces): session indices, most similar first. */
  neighboursOf(prefix: ArrayLike<number>): Array<[number, number]> {
    const search = this.findNeighbours(prefix);
    return Array.from(
      { length: search.size },
      (_, r) => [search.ids[r]!, search.sims[r]!] as [number, number],
    );
  }

  private findNeighbours(prefix: ArrayLike<number>): NeighbourSearch {
    const idx = this.idx;
    const search = this.search;
    if (!idx || !search) throw new Error('[tessera] [train] sknn: predict before fit');
    const e = ++this.epoch;
    const from = this.p.lastN > 0 ? Math.max(0, prefix.length - this.p.lastN) : 0;
    let size = 0;
    for (let p = from; p < prefix.length; p++) {
      const it = prefix[p]!;
      if (it < 0 || it >= idx.items || this.inSession[it] === e) continue;
      this.inSession[it] = e;
      size++;
    }
    const cands = search.candidates(prefix);
    search.select(cands, (s) => {
      let common = 0;
      for (let q = idx.setPtr[s]!; q < idx.setPtr[s + 1]!; q++)
        if (this.inSession[idx.distinct[q]!] === e) common++;
      return common === 0 ? 0 : common / Math.sqrt(size * (idx.setPtr[s + 1]! - idx.setPtr[s]!));
    });
    return search;
  }

  predict(prefix: ArrayLike<number>, k: number): Int32Array {
    const idx = this.idx;
    if (!idx) throw new Error('[tessera] [train] sknn: predict before fit');
    const search = this.findNeighbours(prefix);
    let nt = 0;
    for (let r = 0; r < search.size; r++) {
      const s = search.ids[r]!;
      const sim = search.sims[r]!;
      for (let q = idx.setPtr[s]!; q < idx.setPtr[s + 1]!; q++) {
        const it = idx.distinct[q]!;
        if (this.scores[it] === 0) this.touched[nt++] = it;
        this.scores[it]! += sim;
      }
    }
    const top = new TopK(k);
    for (let x = 0; x < nt; x++) {
      const it = this.touched[x]!;
      top.push(it, this.scores[it]!);
      this.scores[it] = 0;
    }
    return Int32Array.from(top.result(), ([it]) => it);
  }
}

const grid: Array<Record<string, number>> = [];
for (const k of [50, 100, 200]) for (const sampleSize of [500, 1000]) grid.push({ k, sampleSize, lastN: 0 });

export const sknn: Tunable<SessionModel> = {
  name: 'sknn',
  grid,
  make: (p) => new SessionKnn(p as Partial<SknnParams>),
};
