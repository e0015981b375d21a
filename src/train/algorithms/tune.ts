/**
 * Hyperparameter selection on a validation split carved from the training
 * data alone — the test data never reaches these functions. Each grid point
 * is fitted on the fit part and scored on the held-out part; the best one
 * (first on ties, so the grid order is the tie-break) is refitted on the
 * whole training data. Model fits must be synchronous here.
 * @module
 */
import type { Interactions, SessionData, SessionModel, TopKModel, Tunable } from '../model-types.js';
import {
  knownItems,
  ndcgAtK,
  nextItemAtK,
  splitSessionValidation,
  splitTopKValidation,
} from './validation.js';

type Params = Record<string, number | string | boolean>;

export interface TuneResult<M> {
  model: M;
  params: Params;
  validation: number;
  /** Every grid point with its validation score, in grid order. */
  trials: Array<{ params: Params; validation: number }>;
}

function fitSync<T>(model: { name: string; fit(x: T): void | Promise<void> }, data: T): void {
  const r = model.fit(data);
  if (r instanceof Promise)
    throw new Error(`[tessera] [train] ${model.name}: tuning needs a synchronous fit`);
}

function describe(p: Params): string {
  return Object.entries(p)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

export function tuneTopK(
  t: Tunable<TopKModel>,
  train: Interactions,
  opts: { k: number; seed: number; validationRatio?: number; log?: (line: string) => void },
): TuneResult<TopKModel> {
  const split = splitTopKValidation(train, opts.validationRatio ?? 0.25, opts.seed);
  const trials: TuneResult<TopKModel>['trials'] = [];
  let best = -1;
  let bestAt = 0;
  t.grid.forEach((params, g) => {
    const m = t.make(params);
    fitSync(m, split.fit);
    const v = ndcgAtK(m, split, opts.k, 2000, opts.seed);
    trials.push({ params, validation: v });
    opts.log?.(`${t.name} ${describe(params)}: nDCG@${opts.k} ${v.toFixed(4)} (validation)`);
    if (v > best) [best, bestAt] = [v, g];
  });
  const params = t.grid[bestAt] ?? {};
  const model = t.make(params);
  fitSync(model, train);
  return { model, params, validation: best, trials };
}

export function tuneSession(
  t: Tunable<SessionModel>,
  train: SessionData,
  opts: { k: number; seed: number; validationRatio?: number; log?: (line: string) => void },
): TuneResult<SessionModel> {
  const split = splitSessionValidation(train, opts.validationRatio ?? 0.1);
  const known = knownItems(split.fit);
  const trials: TuneResult<SessionModel>['trials'] = [];
  let best = -1;
  let bestAt = 0;
  t.grid.forEach((params, g) => {
    const m = t.make(params);
    fitSync(m, split.fit);
    const v = nextItemAtK(m, known, split.heldOut, opts.k).mrr;
    trials.push({ params, validation: v });
    opts.log?.(`${t.name} ${describe(params)}: MRR@${opts.k} ${v.toFixed(4)} (validation)`);
    if (v > best) [best, bestAt] = [v, g];
  });
  const params = t.grid[bestAt] ?? {};
  const model = t.make(params);
  fitSync(model, train);
  return { model, params, validation: best, trials };
}
