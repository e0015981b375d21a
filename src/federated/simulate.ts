/**
 * `tessera federated simulate` without the command line: every user of a
 * ratings file is a client, run in-process with the browser's client code
 * (local training, clipping, quantization, pairwise masks), against the
 * secure-aggregation round and the DP-FedAvg server; then the federated
 * model beside a centralized model of the same form (implicit ALS with the
 * same dimension, α and λ, trained on the pooled training data) and
 * popularity, on the split and metrics of `tessera eval`.
 *
 * Evaluation gives each user the vector their device would solve against the
 * final item table from their own training interactions (it never leaves the
 * device; the simulator only uses it to score).
 * @module
 */
import { AlsModel } from '../train/algorithms/als.js';
import { PopularityModel } from '../train/algorithms/popularity.js';
import { asInteractions, loadDataset } from '../train/eval/load.js';
import { evaluateTopK } from '../train/eval/protocols.js';
import { stratifiedSplit } from '../train/eval/split.js';
import type { Interactions, TopKModel } from '../train/model-types.js';
import { createRng, shuffle } from '../train/rng.js';
import { noiseMultiplierFor, ZcdpAccountant } from './accountant.js';
import { type ClientData, gramOf, type LocalTrainingOptions, solveUser, trainLocally } from './client.js';
import { cryptoUniform } from './dp.js';
import { SecureAggregationRound } from './round.js';
import { addInRing, clipBeforeRounding, fixedPointScale, MaskingClient, quantize } from './secure-agg.js';
import { FederatedServer } from './server.js';

export interface SimulateOptions {
  data: string;
  by?: 'item' | 'user';
  ratio?: number;
  seed?: number;
  rounds: number;
  clientsPerRound: number;
  /** Total ε at `delta` (Infinity: no noise; clipping and secure aggregation only). */
  epsilon: number;
  delta: number;
  k?: number;
  dim?: number;
  alpha?: number;
  lambda?: number;
  clip?: number;
  localEpochs?: number;
  localLearningRate?: number;
  serverLearningRate?: number;
  momentum?: number;
  /** Masking neighbours per client (default: 2·⌈log2 n⌉, SecAgg+; ≥ n − 1 is the complete graph). */
  neighbours?: number;
  /** A round closes only with this many survivors (default: half the clients per round). */
  minClients?: number;
  /** Share of selected clients that drop after registering, before sending (default 0). */
  dropout?: number;
  /** Seeded noise for reproducible runs (default: crypto.getRandomValues). */
  noiseSeed?: number;
  log?: (m: string) => void;
}

export interface Scores {
  map: number;
  ndcg: number;
  precision: number;
  recall: number;
}

export interface SimulateReport {
  federated: Scores;
  centralized: Scores;
  popularity: Scores;
  epsilon: number;
  delta: number;
  rounds: number;
  clients: number;
  noise_multiplier: number;
  round_epsilon: number;
  clients_per_round: number;
  dropped: number;
  k: number;
  params: Record<string, number>;
}

const scores = (e: Scores): Scores => ({
  map: e.map,
  ndcg: e.ndcg,
  precision: e.precision,
  recall: e.recall,
});

function clientData(train: Interactions, u: number): ClientData {
  const from = train.rowPtr[u]!;
  const to = train.rowPtr[u + 1]!;
  return { items: train.col.subarray(from, to), values: train.val.subarray(from, to) };
}

/** Scores with the item table and each user's on-device vector. */
export function federatedModel(
  train: Interactions,
  items: Float32Array,
  o: Pick<LocalTrainingOptions, 'dim' | 'alpha' | 'lambda'>,
): TopKModel {
  const f = o.dim;
  const n = train.itemIds.length;
  const yty = gramOf(items, n, f);
  return {
    name: 'federated',
    params: {},
    fit() {},
    score(u, out) {
      const x = solveUser(items, yty, clientData(train, u), o);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let p = 0; p < f; p++) s += x[p]! * items[i * f + p]!;
        out[i] = s;
      }
    },
  };
}

/** The federated hyperparameters; `FEDERATED_DEFAULTS` were chosen on a validation split (tune.ts). */
export interface FederatedParams {
  dim: number;
  alpha: number;
  lambda: number;
  clip: number;
  epochs: number;
  learningRate: number;
  serverLearningRate: number;
  momentum: number;
}

/**
 * Chosen by `tessera federated tune` on a validation split carved from the
 * training data (docs/federated.md, "How the defaults were chosen"); the
 * rounds default is `FEDERATED_DEFAULT_ROUNDS`.
 */
export const FEDERATED_DEFAULTS: FederatedParams = {
  dim: 16,
  alpha: 1,
  lambda: 1,
  clip: 1,
  epochs: 1,
  learningRate: 0.2,
  serverLearningRate: 1,
  momentum: 0.9,
};
export const FEDERATED_DEFAULT_ROUNDS = 30;

export function federatedParams(o: Partial<SimulateOptions>): FederatedParams {
  const d = FEDERATED_DEFAULTS;
  return {
    dim: o.dim ?? d.dim,
    alpha: o.alpha ?? d.alpha,
    lambda: o.lambda ?? d.lambda,
    clip: o.clip ?? d.clip,
    epochs: o.localEpochs ?? d.epochs,
    learningRate: o.localLearningRate ?? d.learningRate,
    serverLearningRate: o.serverLearningRate ?? d.serverLearningRate,
    momentum: o.momentum ?? d.momentum,
  };
}

export interface TrainingRun {
  rounds: number;
  clientsPerRound: number;
  epsilon: number;
  delta: number;
  seed: number;
  neighbours?: number;
  minClients?: number;
  dropout?: number;
  noiseSeed?: number;
  /**
   * Mask every update (default). Off, the server adds the quantized updates
   * in the clear: the same sum to the last bit (the masks cancel exactly in
   * the ring), without the AES keystreams that take most of the time. Only
   * the tuner turns it off.
   */
  masking?: boolean;
  log?: (m: string) => void;
}

export interface TrainedTable {
  items: Float32Array;
  accountant: ZcdpAccountant;
  z: number;
  perRound: number;
  clients: number;
  dropped: number;
  neighbours: number;
  minClients: number;
  scale: number;
}

/** Rounds of local training, masking, secure aggregation and DP-FedAvg over every user of `train`. */
export async function trainFederated(
  train: Interactions,
  p: FederatedParams,
  o: TrainingRun,
): Promise<TrainedTable> {
  const log = o.log ?? (() => {});
  const masked = o.masking ?? true;
  const nItems = train.itemIds.length;
  const clients = [...Array(train.userIds.length).keys()].filter(
    (u) => train.rowPtr[u + 1]! > train.rowPtr[u]!,
  );
  const perRound = Math.min(o.clientsPerRound, clients.length);
  const minClients = o.minClients ?? Math.ceil(perRound / 2);
  const neighbours = o.neighbours ?? 2 * Math.ceil(Math.log2(perRound));
  const z = noiseMultiplierFor(o.epsilon, o.delta, o.rounds);
  const accountant = new ZcdpAccountant(z, o.delta, o.epsilon);
  const scale = fixedPointScale(p.clip, perRound);
  const rng = createRng(o.seed);
  const initial = new Float32Array(nItems * p.dim);
  for (let q = 0; q < initial.length; q++) initial[q] = (rng() - 0.5) * 0.2;
  const noiseRng = o.noiseSeed === undefined ? cryptoUniform() : createRng(o.noiseSeed);
  const server = new FederatedServer({
    nItems,
    dim: p.dim,
    clip: p.clip,
    clientsPerRound: perRound,
    learningRate: p.serverLearningRate,
    momentum: p.momentum,
    scale,
    accountant,
    uniform: noiseRng,
    initial,
  });
  log(
    `${clients.length} clients, ${perRound} per round, ${o.rounds} rounds, z=${z.toFixed(3)}, ε=${o.epsilon} at δ=${o.delta}, ${masked ? `${neighbours} masking neighbours` : 'unmasked sums'}`,
  );
  const masking = new Map<number, MaskingClient>();
  if (masked) for (const u of clients) masking.set(u, await MaskingClient.create(u));
  // Clients take turns through a seeded permutation, so every user takes part equally often.
  const order = shuffle(clients.slice(), rng);
  let next = 0;
  let dropped = 0;
  // Clip a hair below C so the update rounded to the ring is still within C.
  const local: LocalTrainingOptions = { ...p, clip: clipBeforeRounding(p.clip, nItems * p.dim, scale) };
  for (let t = 0; t < o.rounds && accountant.canSpend(); t++) {
    const chosen: number[] = [];
    for (let c = 0; c < perRound; c++) chosen.push(order[next++ % order.length]!);
    const round = new SecureAggregationRound({
      round: t,
      length: nItems * p.dim,
      minClients,
      neighbours,
      graphSeed: o.seed + t,
    });
    const global = Float32Array.from(server.items);
    let sum: Uint32Array = new Uint32Array(nItems * p.dim);
    let survivors = 0;
    if (masked) {
      for (const u of chosen) round.register(u, masking.get(u)!.publicKey);
      for (const u of chosen) {
        if ((o.dropout ?? 0) > 0 && rng() < o.dropout!) continue; // dropped after registering
        const update = trainLocally(global, clientData(train, u), local);
        // One client at a time: all of a round's masks in flight at once would hold ~1 GB.
        round.submit(u, await masking.get(u)!.mask(t, quantize(update.delta, scale), round.peersOf(u)));
      }
      dropped += round.dropped.length;
      for (const [u, peers] of round.unmaskRequests()) round.reveal(u, masking.get(u)!.reveal(t, peers));
      const closed = await round.close();
      sum = closed.sum;
      survivors = closed.survivors.length;
    } else {
      for (const u of chosen) {
        if ((o.dropout ?? 0) > 0 && rng() < o.dropout!) {
          dropped++;
          continue;
        }
        addInRing(sum, quantize(trainLocally(global, clientData(train, u), local).delta, scale));
        survivors++;
      }
    }
    const r = server.apply(sum, survivors);
    log(
      `round ${t + 1}: ${survivors} survivors, ‖sum‖=${r.sumNorm.toFixed(2)}, step ${r.step.toFixed(3)}, ε so far ${r.epsilon.toFixed(3)}`,
    );
  }
  return {
    items: server.items,
    accountant,
    z,
    perRound,
    clients: clients.length,
    dropped,
    neighbours,
    minClients,
    scale,
  };
}

export async function simulateFederated(o: SimulateOptions): Promise<SimulateReport> {
  const log = o.log ?? (() => {});
  const seed = o.seed ?? 42;
  const k = o.k ?? 10;
  const p = federatedParams(o);
  const loaded = await loadDataset(o.data, 'ratings');
  const { train, test } = stratifiedSplit(asInteractions(loaded), {
    by: o.by ?? 'item',
    ratio: o.ratio ?? 0.75,
    seed,
  });
  const run: TrainingRun = {
    rounds: o.rounds,
    clientsPerRound: o.clientsPerRound,
    epsilon: o.epsilon,
    delta: o.delta,
    seed,
    log,
    ...(o.neighbours !== undefined ? { neighbours: o.neighbours } : {}),
    ...(o.minClients !== undefined ? { minClients: o.minClients } : {}),
    ...(o.dropout !== undefined ? { dropout: o.dropout } : {}),
    ...(o.noiseSeed !== undefined ? { noiseSeed: o.noiseSeed } : {}),
  };
  const t = await trainFederated(train, p, run);
  const fed = evaluateTopK(federatedModel(train, t.items, p), train, test, { k });
  log(`federated nDCG@${k} ${fed.ndcg.toFixed(4)}`);
  const als = new AlsModel({ factors: p.dim, alpha: p.alpha, regularization: p.lambda, seed });
  als.fit(train);
  const central = evaluateTopK(als, train, test, { k });
  const pop = new PopularityModel();
  pop.fit(train);
  const popular = evaluateTopK(pop, train, test, { k });
  return {
    federated: scores(fed),
    centralized: scores(central),
    popularity: scores(popular),
    epsilon: t.accountant.totalEpsilon,
    delta: o.delta,
    rounds: t.accountant.rounds,
    clients: t.clients,
    noise_multiplier: t.z,
    round_epsilon: t.accountant.roundEpsilon,
    clients_per_round: t.perRound,
    dropped: t.dropped,
    k,
    params: { ...p, neighbours: t.neighbours, minClients: t.minClients, scale: t.scale },
  };
}
