/**
 * Choosing the federated defaults without looking at the test split.
 *
 * The ratings file is split into train and test exactly as `simulate` does
 * (same seed, ratio, grouping); the test part is then set aside unread. A
 * validation split is carved from the training part alone (`validationSplit`,
 * stratified the same way with seed + 1), the federated model trains on what
 * is left, and each candidate is scored by nDCG@k on the validation part.
 *
 * The search varies one setting at a time around a centre (by default the
 * previous defaults): rounds, the local learning rate, the clip norm, the
 * local epochs, each over its values with the others at the centre; then the
 * combination of each axis's best is run as a centre of its own. A full grid
 * would cost the product of the axes, and one run of 30 rounds over 943
 * clients already takes minutes; the axes are independent, so they can run
 * in separate processes (`--axes`). Noise is seeded, so candidates see the
 * same noise stream. Rounds are summed unmasked: secure aggregation gives the same
 * sum to the last bit (see `TrainingRun.masking`), and the masks are the
 * expensive part.
 * @module
 */

import { asInteractions, loadDataset } from '../train/eval/load.js';
import { evaluateTopK } from '../train/eval/protocols.js';
import { stratifiedSplit, validationSplit } from '../train/eval/split.js';
import {
  FEDERATED_DEFAULT_ROUNDS,
  FEDERATED_DEFAULTS,
  type FederatedParams,
  federatedModel,
  trainFederated,
} from './simulate.js';

export interface TuneGrid {
  rounds: number[];
  learningRate: number[];
  clip: number[];
  epochs: number[];
}

export const DEFAULT_TUNE_GRID: TuneGrid = {
  rounds: [15, 45],
  learningRate: [0.05, 0.2],
  clip: [0.5, 2],
  epochs: [1, 4],
};

export interface TuneOptions {
  data: string;
  by?: 'item' | 'user';
  ratio?: number;
  seed?: number;
  clientsPerRound: number;
  /** The budget the defaults are chosen for (Infinity: no noise). */
  epsilon: number;
  delta: number;
  k?: number;
  grid?: TuneGrid;
  /** Axes to vary (default all); none: only the centre. */
  axes?: Axis[];
  /** The centre the axes vary around (default: the previous defaults). */
  centre?: Omit<TuneTrial, 'ndcg'>;
  noiseSeed?: number;
  log?: (m: string) => void;
}

export interface TuneTrial {
  rounds: number;
  learningRate: number;
  clip: number;
  epochs: number;
  /** nDCG@k on the validation split. */
  ndcg: number;
}

export interface TuneReport {
  procedure: string;
  trials: TuneTrial[];
  best: TuneTrial;
  fitUsers: number;
  fitInteractions: number;
  validationInteractions: number;
}

export type Axis = keyof TuneGrid;
export const AXES: Axis[] = ['rounds', 'learningRate', 'clip', 'epochs'];

export async function tuneFederated(o: TuneOptions): Promise<TuneReport> {
  const log = o.log ?? (() => {});
  const seed = o.seed ?? 42;
  const by = o.by ?? 'item';
  const ratio = o.ratio ?? 0.75;
  const k = o.k ?? 10;
  const grid = o.grid ?? DEFAULT_TUNE_GRID;
  const { train } = stratifiedSplit(asInteractions(await loadDataset(o.data, 'ratings')), {
    by,
    ratio,
    seed,
  });
  const { train: fit, test: validation } = validationSplit(train, { by, ratio, seed: seed + 1 });
  const trials: TuneTrial[] = [];
  const tried = new Map<string, TuneTrial>();
  const run = async (c: Omit<TuneTrial, 'ndcg'>): Promise<TuneTrial> => {
    const key = JSON.stringify(c);
    const known = tried.get(key);
    if (known) return known;
    const p: FederatedParams = {
      ...FEDERATED_DEFAULTS,
      learningRate: c.learningRate,
      clip: c.clip,
      epochs: c.epochs,
    };
    const t = await trainFederated(fit, p, {
      rounds: c.rounds,
      clientsPerRound: o.clientsPerRound,
      epsilon: o.epsilon,
      delta: o.delta,
      seed,
      noiseSeed: o.noiseSeed ?? 1,
      masking: false,
    });
    const trial = { ...c, ndcg: evaluateTopK(federatedModel(fit, t.items, p), fit, validation, { k }).ndcg };
    log(
      `rounds ${c.rounds}, local lr ${c.learningRate}, clip ${c.clip}, local epochs ${c.epochs}: validation nDCG@${k} ${trial.ndcg.toFixed(4)}`,
    );
    tried.set(key, trial);
    trials.push(trial);
    return trial;
  };
  const centre = o.centre ?? {
    rounds: FEDERATED_DEFAULT_ROUNDS,
    learningRate: FEDERATED_DEFAULTS.learningRate,
    clip: FEDERATED_DEFAULTS.clip,
    epochs: FEDERATED_DEFAULTS.epochs,
  };
  const atCentre = await run(centre);
  const combined = { ...centre };
  for (const axis of o.axes ?? AXES) {
    let bestOnAxis = atCentre;
    for (const value of grid[axis]) {
      const trial = await run({ ...centre, [axis]: value });
      if (trial.ndcg > bestOnAxis.ndcg) bestOnAxis = trial;
    }
    combined[axis] = bestOnAxis[axis];
  }
  await run(combined);
  const best = trials.reduce((a, b) => (b.ndcg > a.ndcg ? b : a));
  return {
    procedure: `train/test split stratified by ${by} (ratio ${ratio}, seed ${seed}); test set aside; validation carved from train (stratified by ${by}, ratio ${ratio}, seed ${seed + 1}); one axis at a time around rounds ${centre.rounds}, local lr ${centre.learningRate}, clip ${centre.clip}, local epochs ${centre.epochs}, then the axes' best combined, by validation nDCG@${k} at ε=${o.epsilon}, δ=${o.delta}`,
    trials,
    best,
    fitUsers: fit.userIds.length,
    fitInteractions: fit.col.length,
    validationInteractions: validation.col.length,
  };
}
