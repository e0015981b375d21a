/**
 * Association rules (AR), as defined by Ludewig & Jannach, "Evaluation of
 * session-based recommendation algorithms" (UMUAI 2018), and implemented in
 * session-rec's algorithms/baselines/ar.py: every pair of clicks (p, q), p ≠ q,
 * in the same training session adds 1 to the rule item_p → item_q (in both
 * directions, repeats included). Each item keeps its `pruning` (default 20)
 * strongest rules, and the prediction is the rules of the current session's
 * last item only.
 * @module
 */
import type { SessionData, SessionModel, Tunable } from '../model-types.js';
import { mineRules, predictFromLast, type Rules } from './rules.js';
import { indexSessions } from './session-index.js';

export class AssociationRules implements SessionModel {
  readonly name = 'ar';
  readonly params: Record<string, number>;
  rules: Rules = { ptr: new Int32Array(1), item: new Int32Array(0), score: new Float32Array(0) };

  constructor(readonly pruning = 20) {
    this.params = { pruning };
  }

  fit(train: SessionData): void {
    const idx = indexSessions(train);
    this.rules = mineRules(
      idx,
      this.pruning,
      (_q, from, to) => [from, to],
      (q, r) => (q === r ? 0 : 1),
    );
  }

  predict(prefix: ArrayLike<number>, k: number): Int32Array {
    return predictFromLast(this.rules, prefix, k);
  }
}

export const ar: Tunable<SessionModel> = {
  name: 'ar',
  grid: [{ pruning: 20 }],
  make: (p) => new AssociationRules(Number(p.pruning ?? 20)),
};
