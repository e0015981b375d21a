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
import { clipBeforeRounding, fixedPointScale, MaskingClient, quantize } from './secure-agg.js';
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

export async function simulateFederated(o: SimulateOptions): Promise<SimulateReport> {
  const log = o.log ?? (() => {});
  const seed = o.seed ?? 42;
  const k = o.k ?? 10;
  const p = {
    dim: o.dim ?? 16,
    alpha: o.alpha ?? 1,
    lambda: o.lambda ?? 1,
    clip: o.clip ?? 1,
    epochs: o.localEpochs ?? 2,
    learningRate: o.localLearningRate ?? 0.1,
    serverLearningRate: o.serverLearningRate ?? 1,
    momentum: o.momentum ?? 0.9,
  };
  const loaded = await loadDataset(o.data, 'ratings');
  const { train, test } = stratifiedSplit(asInteractions(loaded), {
    by: o.by ?? 'item',
    ratio: o.ratio ?? 0.75,
    seed,
  });
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
  const rng = createRng(seed);
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
    `${clients.length} clients, ${perRound} per round, ${o.rounds} rounds, z=${z.toFixed(3)}, ε=${o.epsilon} at δ=${o.delta}, ${neighbours} masking neighbours`,
  );
  const masking = new Map<number, MaskingClient>();
  for (const u of clients) masking.set(u, await MaskingClient.create(u));
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
      graphSeed: seed + t,
    });
    for (const u of chosen) round.register(u, masking.get(u)!.publicKey);
    const global = Float32Array.from(server.items);
    for (const u of chosen) {
      if ((o.dropout ?? 0) > 0 && rng() < o.dropout!) continue; // dropped after registering
      const update = trainLocally(global, clientData(train, u), local);
      // One client at a time: all of a round's masks in flight at once would hold ~1 GB.
      round.submit(u, await masking.get(u)!.mask(t, quantize(update.delta, scale), round.peersOf(u)));
    }
    dropped += round.dropped.length;
    for (const [u, peers] of round.unmaskRequests()) round.reveal(u, masking.get(u)!.reveal(t, peers));
    const { sum, survivors } = await round.close();
    const r = server.apply(sum, survivors.length);
    log(
      `round ${t + 1}: ${survivors.length} survivors, ‖sum‖=${r.sumNorm.toFixed(2)}, step ${r.step.toFixed(3)}, ε so far ${r.epsilon.toFixed(3)}`,
    );
  }
  const fed = evaluateTopK(federatedModel(train, server.items, p), train, test, { k });
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
    epsilon: accountant.totalEpsilon,
    delta: o.delta,
    rounds: accountant.rounds,
    clients: clients.length,
    noise_multiplier: z,
    round_epsilon: accountant.roundEpsilon,
    clients_per_round: perRound,
    dropped,
    k,
    params: { ...p, neighbours, minClients, scale },
  };
}
