/**
 * Sequential rules (SR), as defined by Ludewig & Jannach (UMUAI 2018, after
 * Kamehkhosh et al. 2017) and implemented in session-rec's
 * algorithms/baselines/sr.py: a click on a followed i steps later (1 ≤ i ≤
 * steps, default 10) by a click on b in the same session adds 1/i to the rule
 * a → b (the 'div' weighting). Each item keeps its `pruning` (default 20)
 * strongest rules; the prediction is the rules of the session's last item.
 * @module
 */
import type { SessionData, SessionModel, Tunable } from '../model-types.js';
import { mineRules, predictFromLast, type Rules } from './rules.js';
import { indexSessions } from './session-index.js';

export class SequentialRules implements SessionModel {
  readonly name = 'sr';
  readonly params: Record<string, number>;
  rules: Rules = { ptr: new Int32Array(1), item: new Int32Array(0), score: new Float32Array(0) };

  constructor(
    readonly steps = 10,
    readonly pruning = 20,
  ) {
    this.params = { steps, pruning };
  }

  fit(train: SessionData): void {
    const idx = indexSessions(train);
    const steps = this.steps;
    this.rules = mineRules(
      idx,
      this.pruning,
      (q, _from, to) => [q + 1, Math.min(to, q + steps + 1)],
      (q, r) => 1 / (r - q),
    );
  }

  predict(prefix: ArrayLike<number>, k: number): Int32Array {
    return predictFromLast(this.rules, prefix, k);
  }
}

export const sr: Tunable<SessionModel> = {
  name: 'sr',
  grid: [{ steps: 10, pruning: 20 }],
  make: (p) => new SequentialRules(Number(p.steps ?? 10), Number(p.pruning ?? 20)),
};
