/**
 * GRU4Rec as a `SessionModel` for `tessera eval` and the trainer: fit trains
 * the weights, predict runs the forward pass over the prefix and ranks every
 * item. The evaluation asks for every prefix of a session in turn, so the
 * hidden state of the previous prefix is kept and extended by one click when
 * the new prefix continues it.
 * @module
 */
import type { SessionData, SessionModel, Tunable } from '../../model-types.js';
import { TopK } from '../../top-k.js';
import { GruForward } from './forward.js';
import { GRU4REC_DEFAULTS, type Gru4RecParams, type TrainProgress, trainGru4Rec } from './train.js';
import type { GruWeights } from './weights.js';

export class Gru4RecModel implements SessionModel {
  readonly name = 'gru4rec';
  readonly params: Record<string, number>;
  readonly p: Gru4RecParams;
  weights: GruWeights | undefined;
  onProgress: TrainProgress | undefined;
  private fwd: GruForward | undefined;
  private seen: number[] = [];

  constructor(params: Partial<Gru4RecParams> = {}) {
    this.p = { ...GRU4REC_DEFAULTS, ...params };
    this.params = { ...this.p };
  }

  fit(train: SessionData): void {
    this.weights = trainGru4Rec(train, this.p, this.onProgress);
    this.fwd = new GruForward(this.weights);
    this.seen = [];
  }

  predict(prefix: ArrayLike<number>, k: number): Int32Array {
    const fwd = this.fwd;
    if (!fwd) throw new Error('[tessera] [train] gru4rec: predict before fit');
    const items = fwd.wt.items;
    let same = this.seen.length === prefix.length - 1;
    for (let t = 0; same && t < this.seen.length; t++) same = this.seen[t] === prefix[t];
    const last = prefix[prefix.length - 1];
    if (same && last !== undefined) {
      if (last >= 0 && last < items) fwd.step(last);
      this.seen.push(last);
    } else {
      fwd.run(prefix);
      this.seen = Array.from(prefix);
    }
    const top = new TopK(k);
    for (let i = 0; i < items; i++) top.push(i, fwd.score(i));
    return Int32Array.from(top.result(), ([it]) => it);
  }
}

// A small grid searched on the latest training sessions: each point is a full
// training run (tens of seconds on 100k clicks), so only the hidden size varies.
const grid: Array<Record<string, number>> = [];
for (const hidden of [32, 64]) grid.push({ ...GRU4REC_DEFAULTS, hidden });

export const gru4rec: Tunable<SessionModel> = {
  name: 'gru4rec',
  grid,
  make: (p) => new Gru4RecModel(p as Partial<Gru4RecParams>),
};
