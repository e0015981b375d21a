/**
 * Tessera's real-time session model: STAN (Garg et al., "Sequence and Time
 * Aware Neighborhood for Session-based Recommendations", SIGIR 2019; see also
 * session-rec's algorithms/knn/stan.py) blended with sequential rules.
 *
 * STAN refines S-kNN in three places:
 *  1. the current session is a vector, not a set: the click at position p of
 *     l weighs exp((p − l) / λspw), so the last clicks matter most;
 *  2. a neighbour session's similarity is multiplied by exp(−Δt / λsnh), its
 *     age in days (here measured from the newest training session, because a
 *     prediction carries no clock; λsnh = 0 turns this off);
 *  3. inside a neighbour, an item's weight decays with its distance from the
 *     neighbour's occurrence of the most recent shared item,
 *     exp(−(|r − c| − 1) / λinh). We change two things: the shared item
 *     itself (r = c) gives nothing — the visitor has just seen it, and
 *     crediting it made STAN repeat the last click — and items *before* c
 *     are multiplied by `backward` (1 = symmetric, as published), since what
 *     came after a click predicts the next click better.
 *
 * The final score adds `srWeight` × the sequential-rules score of the last
 * click (SR, sr.ts, keeping 50 rules per item), each part scaled to a maximum of 1 — the neighbourhood
 * brings the session's context, the rules its immediate successor.
 * @module
 */
import type { SessionData, SessionModel, Tunable } from '../model-types.js';
import { TopK } from '../top-k.js';
import { indexSessions, type SessionIndex } from './session-index.js';
import { NeighbourSearch } from './session-neighbours.js';
import { SequentialRules } from './sr.js';

export interface StanParams {
  k: number;
  sampleSize: number;
  lambdaSpw: number;
  lambdaSnh: number;
  lambdaInh: number;
  backward: number;
  srWeight: number;
}

export const STAN_DEFAULTS: StanParams = {
  k: 100,
  sampleSize: 1000,
  lambdaSpw: 4,
  lambdaSnh: 0,
  lambdaInh: 2,
  backward: 0,
  srWeight: 0.5,
};

export class StanModel implements SessionModel {
  readonly name = 'stan';
  readonly params: Record<string, number>;
  readonly p: StanParams;
  private idx: SessionIndex | undefined;
  private search: NeighbourSearch | undefined;
  private sr = new SequentialRules(10, 50);
  private weight = new Float64Array(0);
  private lastPos = new Int32Array(0);
  private stamp = new Int32Array(0);
  private inNbr = new Int32Array(0);
  private nbrEpoch = 0;
  private scores = new Float64Array(0);
  private touched = new Int32Array(0);
  private epoch = 0;
  private newest = 0;

  constructor(params: Partial<StanParams> = {}) {
    this.p = { ...STAN_DEFAULTS, ...params };
    this.params = { ...this.p };
  }

  fit(train: SessionData): void {
    const idx = indexSessions(train);
    this.idx = idx;
    this.search = new NeighbourSearch(idx, this.p.sampleSize, this.p.k);
    this.weight = new Float64Array(idx.items);
    this.lastPos = new Int32Array(idx.items);
    this.stamp = new Int32Array(idx.items).fill(-1);
    this.inNbr = new Int32Array(idx.items).fill(-1);
    this.scores = new Float64Array(idx.items);
    this.touched = new Int32Array(idx.items);
    this.newest = idx.sessions > 0 ? idx.lastTime[idx.sessions - 1]! : 0;
    if (this.p.srWeight > 0) this.sr.fit(train);
  }

  predict(prefix: ArrayLike<number>, k: number): Int32Array {
    const idx = this.idx;
    const search = this.search;
    if (!idx || !search) throw new Error('[tessera] [train] stan: predict before fit');
    const { lambdaSpw, lambdaSnh, lambdaInh, backward, srWeight } = this.p;
    const l = prefix.length;
    // (1) Position weights of the current session; a repeated item keeps its latest position.
    const e = ++this.epoch;
    let size = 0;
    for (let p = 0; p < l; p++) {
      const it = prefix[p]!;
      if (it < 0 || it >= idx.items) continue;
      if (this.stamp[it] !== e) size++;
      this.stamp[it] = e;
      this.weight[it] = Math.exp((p + 1 - l) / lambdaSpw);
    }
    if (size === 0) return new Int32Array(0);
    const perDay = lambdaSnh > 0 ? 1 / (lambdaSnh * 86_400_000) : 0;
    search.select(search.candidates(prefix), (s) => {
      let dot = 0;
      for (let q = idx.setPtr[s]!; q < idx.setPtr[s + 1]!; q++) {
        const it = idx.distinct[q]!;
        if (this.stamp[it] === e) dot += this.weight[it]!;
      }
      if (dot === 0) return 0;
      const sim = dot / Math.sqrt(size * (idx.setPtr[s + 1]! - idx.setPtr[s]!));
      // (2) Neighbour recency.
      const age = this.newest - idx.lastTime[s]!;
      return perDay > 0 && Number.isFinite(age) ? sim * Math.exp(-age * perDay) : sim;
    });
    // (3) Items of each neighbour, weighted by distance to the most recent shared item.
    let nt = 0;
    let maxKnn = 0;
    for (let r = 0; r < search.size; r++) {
      const s = search.ids[r]!;
      const sim = search.sims[r]!;
      const from = idx.clickPtr[s]!;
      const to = idx.clickPtr[s + 1]!;
      const ns = ++this.nbrEpoch;
      for (let q = from; q < to; q++) {
        const it = idx.clicks[q]!;
        this.lastPos[it] = q;
        this.inNbr[it] = ns;
      }
      // The neighbour's (last) occurrence of the most recent shared item.
      let anchor = from;
      for (let p = l - 1; p >= 0; p--) {
        const it = prefix[p]!;
        if (it >= 0 && it < idx.items && this.inNbr[it] === ns) {
          anchor = this.lastPos[it]!;
          break;
        }
      }
      for (let q = idx.setPtr[s]!; q < idx.setPtr[s + 1]!; q++) {
        const it = idx.distinct[q]!;
        const d = this.lastPos[it]! - anchor;
        if (d === 0) continue; // the shared item itself: the visitor has just seen it
        const w = sim * Math.exp(-(Math.abs(d) - 1) / lambdaInh) * (d < 0 ? backward : 1);
        if (!(w > 0)) continue; // backward = 0: the item is not a candidate from this neighbour
        if (this.scores[it] === 0) this.touched[nt++] = it;
        this.scores[it]! += w;
        if (this.scores[it]! > maxKnn) maxKnn = this.scores[it]!;
      }
    }
    const top = new TopK(k);
    if (srWeight > 0) {
      const rules = this.sr.rules;
      const last = prefix[l - 1]!;
      if (last >= 0 && last < idx.items) {
        const a = rules.ptr[last]!;
        const b = rules.ptr[last + 1]!;
        const maxSr = b > a ? rules.score[a]! : 1;
        const scale = maxKnn > 0 ? maxKnn : 1;
        for (let q = a; q < b; q++) {
          const it = rules.item[q]!;
          if (this.scores[it] === 0) this.touched[nt++] = it;
          this.scores[it]! += (srWeight * scale * rules.score[q]!) / maxSr;
        }
      }
    }
    for (let x = 0; x < nt; x++) {
      const it = this.touched[x]!;
      top.push(it, this.scores[it]!);
      this.scores[it] = 0;
    }
    return Int32Array.from(top.result(), ([it]) => it);
  }
}

// Neighbours and the rules' weight around what real click data chose (YooChoose:
// k = 100, srWeight = 2); the grid is searched on a validation split of each run's training.
const grid: Array<Record<string, number>> = [];
for (const k of [50, 100, 200])
  for (const srWeight of [1, 2, 4])
    for (const lambdaSpw of [2, 8])
      for (const lambdaInh of [1, 4])
        for (const backward of [0, 0.5])
          grid.push({ ...STAN_DEFAULTS, k, lambdaSpw, lambdaInh, backward, srWeight });

export const stan: Tunable<SessionModel> = {
  name: 'stan',
  grid,
  make: (p) => new StanModel(p as Partial<StanParams>),
};
