/**
 * A federation of three nodes for tests: a small catalog in three taste
 * clusters, clients spread over the nodes, and one round of a node run the
 * way a node runs it (its own clients train locally with the browser's
 * client code, mask against each other, the node's secure-aggregation round
 * unmasks their sum, the node contributes it).
 */
import { expect, vi } from 'vitest';
import type { Bus } from '../../src/core/ports.js';
import { noiseMultiplierFor } from '../../src/federated/accountant.js';
import { type ClientData, type LocalTrainingOptions, trainLocally } from '../../src/federated/client.js';
import type { CatalogItems } from '../../src/federated/embeddings-artifact.js';
import { FederationNode, type FederationNodeOptions } from '../../src/federated/federation.js';
import { SecureAggregationRound } from '../../src/federated/round.js';
import {
  clipBeforeRounding,
  fixedPointScale,
  MaskingClient,
  quantize,
} from '../../src/federated/secure-agg.js';
import type { ModelVersions } from '../../src/models/model-registry.js';
import { createRng } from '../../src/train/rng.js';

export const NODE_IDS = ['node-a', 'node-b', 'node-c'] as const;
export const N_ITEMS = 24;
export const DIM = 4;
export const CLIENTS_PER_NODE = 5;
export const CLIP = 1;
export const DELTA = 1e-5;
export const EPSILON = 8;
export const ROUNDS = 3;
const TOTAL = NODE_IDS.length * CLIENTS_PER_NODE;
export const SCALE = fixedPointScale(CLIP, TOTAL);

export interface FederatedClient {
  id: number;
  masking: MaskingClient;
  data: ClientData;
}

export const catalog: CatalogItems = Array.from({ length: N_ITEMS }, (_, i) => ({
  id: `item-${i}`,
  category: `c${i % 3}`,
  brand: 'b',
  tags: [],
  in_stock: true,
}));

export function initialTable(seed = 7): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: N_ITEMS * DIM }, () => (rng() - 0.5) * 0.2);
}

/** Client c of node n likes four items of taste cluster c mod 3. */
export async function clientsOf(node: number): Promise<FederatedClient[]> {
  const out: FederatedClient[] = [];
  for (let c = 0; c < CLIENTS_PER_NODE; c++) {
    const id = node * 100 + c;
    const cluster = (node + c) % 3;
    const items = Int32Array.from([0, 1, 2, 3].map((q) => cluster + 3 * ((q + c) % 8)));
    out.push({
      id,
      masking: await MaskingClient.create(id),
      data: { items, values: new Float32Array(4).fill(4) },
    });
  }
  return out;
}

export const local: LocalTrainingOptions = {
  dim: DIM,
  alpha: 1,
  lambda: 1,
  epochs: 2,
  learningRate: 0.1,
  clip: clipBeforeRounding(CLIP, N_ITEMS * DIM, SCALE),
};

export function nodeOptions(
  node: string,
  bus: Bus,
  models: ModelVersions,
  over: Partial<FederationNodeOptions> = {},
): FederationNodeOptions {
  return {
    node,
    members: NODE_IDS,
    bus,
    models,
    catalog,
    dim: DIM,
    initial: initialTable(),
    clip: CLIP,
    scale: SCALE,
    clientsPerRound: TOTAL,
    minClients: 2 * CLIENTS_PER_NODE,
    z: noiseMultiplierFor(EPSILON, DELTA, ROUNDS),
    delta: DELTA,
    budget: EPSILON,
    graceMs: 600,
    // Long enough that a busy machine does not make a second node close a round the first has closed.
    takeoverMs: 2000,
    resendMs: 300,
    tickMs: 25,
    k: 5,
    onError: (e) => console.error(`[federated] ${node}:`, e),
    ...over,
  };
}

/**
 * One node's part of `round`: its clients register, train against the
 * node's current table, mask and submit; the node closes its own
 * secure-aggregation round and contributes the unmasked sum.
 */
export async function runNodeRound(node: FederationNode, clients: FederatedClient[], round: number) {
  expect(node.round).toBe(round);
  const agg = new SecureAggregationRound({ round, length: N_ITEMS * DIM, minClients: 2 });
  for (const c of clients) agg.register(c.id, c.masking.publicKey);
  const global = Float32Array.from(node.items);
  for (const c of clients) {
    const update = trainLocally(global, c.data, local);
    agg.submit(c.id, await c.masking.mask(round, quantize(update.delta, SCALE), agg.peersOf(c.id)));
  }
  const { sum, survivors } = await agg.close();
  await node.contribute(round, sum, survivors.length);
  return { sum, clients: survivors.length };
}

/** Waits until every node has materialized `round` and its registry write has landed. */
export async function allPast(nodes: FederationNode[], round: number, timeout = 10_000) {
  await vi.waitFor(
    async () => {
      for (const n of nodes) {
        expect(n.round).toBeGreaterThan(round);
        expect((await n.version())?.round).toBeGreaterThanOrEqual(round);
      }
    },
    { timeout, interval: 25 },
  );
}

export async function startNodes(
  buses: Bus[],
  models: ModelVersions[],
  over: Partial<FederationNodeOptions> = {},
): Promise<FederationNode[]> {
  return Promise.all(
    NODE_IDS.map((id, i) => FederationNode.start(nodeOptions(id, buses[i]!, models[i]!, over))),
  );
}
