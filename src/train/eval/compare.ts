/**
 * Every candidate model on the same split: hyperparameters tuned on a
 * validation split carved from training (by the algorithms' own tuners —
 * never on the test), then refitted on all of training with those values,
 * timed, and evaluated on the test. The chosen model is the one asked for, or
 * the best on validation.
 * @module
 */
import type { Interactions, SessionData, SessionModel, TopKModel, Tunable } from '../model-types.js';
import { ItemUsers } from './beyond-accuracy.js';
import { evaluateNextItem, evaluateTopK } from './protocols.js';

export type Params = Record<string, number | string | boolean>;

export interface Tuned<M> {
  model: M;
  params: Params;
  validation: number;
}

type MaybePromise<T> = T | Promise<T>;

/** What the algorithms module provides (src/train/algorithms/index.ts). */
export interface Algorithms {
  topKModels: Record<string, Tunable<TopKModel>>;
  sessionModels: Record<string, Tunable<SessionModel>>;
  tuneTopK(
    t: Tunable<TopKModel>,
    train: Interactions,
    o: { k: number; seed: number },
  ): MaybePromise<Tuned<TopKModel>>;
  tuneSession(
    t: Tunable<SessionModel>,
    train: SessionData,
    o: { k: number; seed: number },
  ): MaybePromise<Tuned<SessionModel>>;
}

interface RowBase {
  model: string;
  chosen: boolean;
  params: Params;
  /** The tuner's score on the validation split (its own metric at k). */
  validation: number;
  train_seconds: number;
  tune_seconds: number;
}

export interface TopKRow extends RowBase {
  map: number;
  map_at_k: number;
  ndcg: number;
  precision: number;
  recall: number;
  coverage: number;
  diversity: number;
  novelty: number;
}

export interface NextItemRow extends RowBase {
  hr: number;
  mrr: number;
  coverage: number;
}

export interface CompareOptions {
  k: number;
  seed: number;
  /** The model to mark as chosen; default: the best on validation. */
  model?: string;
  /** Only these candidates (default: all). The chosen one is always included. */
  only?: string[];
  itemCategory?: ArrayLike<number>;
  log?: (message: string) => void;
}

const seconds = (t0: number): number => (performance.now() - t0) / 1000;

/**
 * Tune on the validation split, then refit the winner on all of training
 * separately, so `train_seconds` is one honest fit and not the tuning loop.
 */
async function tuneThenFit<M extends { fit(data: D): void | Promise<void> }, D>(
  name: string,
  t: Tunable<M>,
  train: D,
  log: (line: string) => void,
  on: string,
  tuneIt: () =>
    | { params: Record<string, number | string | boolean>; validation: number }
    | Promise<{ params: Record<string, number | string | boolean>; validation: number }>,
): Promise<{
  tuned: { params: Record<string, number | string | boolean>; validation: number };
  model: M;
  tune: number;
  fit: number;
}> {
  log(`${name}: tuning on ${on} (${t.grid.length} settings)`);
  let t0 = performance.now();
  const tuned = await tuneIt();
  const tune = seconds(t0);
  const model = t.make(tuned.params);
  log(`${name}: fitting ${formatParams(tuned.params)}`);
  t0 = performance.now();
  await model.fit(train);
  return { tuned, model, tune, fit: seconds(t0) };
}

/**
 * Models that run only when named (`--only gru4rec,...` or `--model`): GRU4Rec
 * trains for about a minute on 16,000 sessions where the others take under a
 * second, so the default comparison leaves it out.
 */
export const OPT_IN: ReadonlySet<string> = new Set(['gru4rec']);

function candidates<M>(registry: Record<string, Tunable<M>>, o: CompareOptions): Array<[string, Tunable<M>]> {
  const names = Object.keys(registry);
  if (o.model !== undefined && !names.includes(o.model))
    throw new Error(`[tessera] [eval] no model "${o.model}"; available: ${names.join(', ')}`);
  const only = o.only && new Set([...o.only, ...(o.model ? [o.model] : [])]);
  return Object.entries(registry).filter(([name]) =>
    only ? only.has(name) : !OPT_IN.has(name) || o.model === name,
  );
}

function markChosen<R extends RowBase>(rows: R[], model: string | undefined): R[] {
  const best = model ?? rows.reduce((a, b) => (b.validation > a.validation ? b : a), rows[0]!).model;
  for (const r of rows) r.chosen = r.model === best;
  return rows;
}

export async function compareTopK(
  algos: Algorithms,
  train: Interactions,
  test: Interactions,
  o: CompareOptions,
): Promise<{ rows: TopKRow[]; users: number; skippedUsers: number }> {
  const log = o.log ?? (() => {});
  const itemUsers = new ItemUsers(train);
  const rows: TopKRow[] = [];
  let users = 0;
  let skippedUsers = 0;
  for (const [name, t] of candidates(algos.topKModels, o)) {
    const { tuned, model, tune, fit } = await tuneThenFit(
      name,
      t,
      train,
      log,
      'a validation split of training',
      () => algos.tuneTopK(t, train, { k: o.k, seed: o.seed }),
    );
    const e = evaluateTopK(model, train, test, {
      k: o.k,
      itemUsers,
      ...(o.itemCategory ? { itemCategory: o.itemCategory } : {}),
    });
    users = e.users;
    skippedUsers = e.skippedUsers;
    rows.push({
      model: name,
      chosen: false,
      params: tuned.params,
      validation: tuned.validation,
      map: e.map,
      map_at_k: e.map_at_k,
      ndcg: e.ndcg,
      precision: e.precision,
      recall: e.recall,
      coverage: e.coverage,
      diversity: e.diversity,
      novelty: e.novelty,
      train_seconds: fit,
      tune_seconds: tune,
    });
  }
  return { rows: markChosen(rows, o.model), users, skippedUsers };
}

export async function compareNextItem(
  algos: Algorithms,
  train: SessionData,
  test: SessionData,
  o: CompareOptions,
): Promise<{ rows: NextItemRow[]; predictions: number; skippedUnseen: number; skippedSessions: number }> {
  const log = o.log ?? (() => {});
  const rows: NextItemRow[] = [];
  let counts = { predictions: 0, skippedUnseen: 0, skippedSessions: 0 };
  for (const [name, t] of candidates(algos.sessionModels, o)) {
    const { tuned, model, tune, fit } = await tuneThenFit(
      name,
      t,
      train,
      log,
      'the latest training sessions',
      () => algos.tuneSession(t, train, { k: o.k, seed: o.seed }),
    );
    const e = evaluateNextItem(model, train, test, o.k);
    counts = {
      predictions: e.predictions,
      skippedUnseen: e.skippedUnseen,
      skippedSessions: e.skippedSessions,
    };
    rows.push({
      model: name,
      chosen: false,
      params: tuned.params,
      validation: tuned.validation,
      hr: e.hr,
      mrr: e.mrr,
      coverage: e.coverage,
      train_seconds: fit,
      tune_seconds: tune,
    });
  }
  return { rows: markChosen(rows, o.model), ...counts };
}

export function formatParams(p: Params): string {
  const s = Object.entries(p)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return s === '' ? '(no parameters)' : s;
}
