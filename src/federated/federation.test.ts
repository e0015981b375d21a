import { describe, expect, it, vi } from 'vitest';
import {
  allPast,
  CLIENTS_PER_NODE,
  clientsOf,
  DELTA,
  DIM,
  EPSILON,
  type FederatedClient,
  initialTable,
  N_ITEMS,
  ROUNDS,
  runNodeRound,
  SCALE,
  startNodes,
} from '../../test/helpers/federation-cluster.js';
import { createMemoryBus, createMemoryHub } from '../bus/memory.js';
import { createMemoryModelStore } from '../models/memory.js';
import { epsilonOf, noiseMultiplierFor, roundRho, ZcdpAccountant } from './accountant.js';
import type { FederationNode } from './federation.js';
import { encodeClosing } from './partials.js';
import { addInRing } from './secure-agg.js';
import { FederatedServer } from './server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function cluster(over: Parameters<typeof startNodes>[2] = {}, sharedRegistry = false) {
  const hub = createMemoryHub();
  const buses = [0, 1, 2].map(() => createMemoryBus({ hub }));
  const shared = createMemoryModelStore();
  const models = [0, 1, 2].map(() => (sharedRegistry ? shared : createMemoryModelStore()));
  const nodes = await startNodes(buses, models, over);
  const clients = await Promise.all([0, 1, 2].map(clientsOf));
  return { nodes, models, clients, stop: () => Promise.all(nodes.map((n) => n.stop())) };
}

const roundOn = (nodes: FederationNode[], clients: FederatedClient[][], t: number, which = [0, 1, 2]) =>
  Promise.all(which.map((i) => runNodeRound(nodes[i]!, clients[i]!, t)));

describe('aggregation across nodes (hierarchical FedAvg)', () => {
  it('closes every round across three nodes; each ends with the same table, ε and registry version', async () => {
    const { nodes, models, clients, stop } = await cluster();
    for (let t = 0; t < ROUNDS; t++) {
      await roundOn(nodes, clients, t);
      await allPast(nodes, t);
    }
    const z = noiseMultiplierFor(EPSILON, DELTA, ROUNDS);
    const versions = await Promise.all(nodes.map((n) => n.version()));
    for (const n of nodes) {
      expect(n.items).toEqual(nodes[0]!.items);
      expect(n.epsilon).toBeCloseTo(EPSILON, 9);
      expect(n.epsilon).toBe(epsilonOf(ROUNDS * roundRho(z), DELTA));
      expect(n.closingOf(ROUNDS - 1)?.clients).toBe(3 * CLIENTS_PER_NODE);
    }
    // Three separate registries, one version: the artifact is a function of the closings.
    expect(new Set(versions.map((v) => v?.version)).size).toBe(1);
    for (const m of models) {
      const aliases = await m.aliases();
      expect(aliases.candidate).toBe(versions[0]!.version);
      expect(aliases.production).toBeUndefined();
      const meta = (await m.list()).find((x) => x.version === versions[0]!.version)!;
      expect(meta.algorithm).toBe('federated-mf');
      expect(meta.params).toMatchObject({
        delta: DELTA,
        rounds: ROUNDS,
        clients: ROUNDS * 3 * CLIENTS_PER_NODE,
        clip: 1,
        noise_multiplier: z,
      });
      expect(meta.params!.epsilon as number).toBeCloseTo(EPSILON, 9);
      expect(await m.list()).toHaveLength(ROUNDS);
    }
    // The budget is spent: a fourth round gathers but never closes.
    await roundOn(nodes, clients, ROUNDS);
    await sleep(300);
    expect(nodes.map((n) => n.round)).toEqual([ROUNDS, ROUNDS, ROUNDS]);
    await stop();
  });

  it('without noise, equals one aggregator that summed every client itself', async () => {
    const { nodes, clients, stop } = await cluster({ z: 0, budget: Number.POSITIVE_INFINITY });
    const server = new FederatedServer({
      nItems: N_ITEMS,
      dim: DIM,
      clip: 1,
      clientsPerRound: 3 * CLIENTS_PER_NODE,
      learningRate: 1,
      momentum: 0.9,
      scale: SCALE,
      accountant: new ZcdpAccountant(0, DELTA, Number.POSITIVE_INFINITY),
      uniform: Math.random,
      initial: initialTable(),
    });
    for (let t = 0; t < 2; t++) {
      const parts = await roundOn(nodes, clients, t);
      await allPast(nodes, t);
      const all = new Uint32Array(N_ITEMS * DIM);
      for (const p of parts) addInRing(all, p.sum);
      server.apply(all, 3 * CLIENTS_PER_NODE);
      for (const n of nodes) expect(n.items).toEqual(server.items);
    }
    expect(nodes[0]!.epsilon).toBe(Number.POSITIVE_INFINITY);
    const meta = await nodes[0]!.version();
    expect(meta?.round).toBe(1);
    await stop();
  });

  it('a node that dies mid-round does not block the round while the minimum is met', async () => {
    const { nodes, clients, stop } = await cluster({}, true);
    // node-c's clients registered with it, then it died before contributing.
    await nodes[2]!.stop();
    const t0 = Date.now();
    await roundOn(nodes, clients, 0, [0, 1]);
    await allPast(nodes.slice(0, 2), 0);
    // It waited for the missing member (graceMs 600), then closed without it.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(500);
    const closing = nodes[0]!.closingOf(0)!;
    expect(closing.closer).toBe('node-a');
    expect(closing.included).toEqual({ 'node-a': CLIENTS_PER_NODE, 'node-b': CLIENTS_PER_NODE });
    expect(nodes[1]!.items).toEqual(nodes[0]!.items);
    expect(nodes[1]!.epsilon).toBe(nodes[0]!.epsilon);
    expect(nodes[2]!.round).toBe(0);
    await stop();
  });

  it('a closer that dies after contributing is taken over by the next node id', async () => {
    const { nodes, clients, stop } = await cluster();
    await roundOn(nodes, clients, 0, [1, 2]);
    await runNodeRound(nodes[0]!, clients[0]!, 0);
    await nodes[0]!.stop();
    await allPast(nodes.slice(1), 0);
    const closing = nodes[1]!.closingOf(0)!;
    expect(closing.closer).toBe('node-b');
    expect(closing.clients).toBe(3 * CLIENTS_PER_NODE);
    expect(nodes[2]!.closingOf(0)!.closer).toBe('node-b');
    expect(nodes[2]!.items).toEqual(nodes[1]!.items);
    await stop();
  });

  it('switches every node to a lower closer that closed the same round, and charges both releases', async () => {
    const hub = createMemoryHub();
    const buses = [0, 1, 2].map(() => createMemoryBus({ hub }));
    const models = [0, 1, 2].map(() => createMemoryModelStore());
    const nodes = await startNodes(buses, models);
    const clients = await Promise.all([0, 1, 2].map(clientsOf));
    await roundOn(nodes, clients, 0);
    await allPast(nodes, 0);
    const first = (await nodes[0]!.version())!.version;
    const epsilonOne = nodes[0]!.epsilon;
    // A node that did not see node-a's closing in time closed the round too (a race the closer rule allows).
    const rival = { ...nodes[0]!.closingOf(0)!, closer: 'node-0', noisySum: new Float64Array(N_ITEMS * DIM) };
    await createMemoryBus({ hub }).publish('federated', encodeClosing(rival));
    await vi.waitFor(async () => {
      for (const n of nodes) {
        expect(n.closingOf(0)?.closer).toBe('node-0');
        expect((await n.version())?.version).not.toBe(first);
      }
    });
    for (const n of nodes) {
      expect(n.items).toEqual(initialTable()); // a zero sum leaves the table where it started
      expect(n.epsilon).toBe(epsilonOf(2 * roundRho(nodes[0]!.o.z), DELTA));
      expect(n.epsilon).toBeGreaterThan(epsilonOne);
      expect((await models[0]!.aliases()).candidate).toBe((await n.version())!.version);
    }
    await Promise.all(nodes.map((n) => n.stop()));
  });

  it('leaves out a partial larger than its clients could send, and closes without it', async () => {
    const { nodes, clients, stop } = await cluster({ onError: () => {} });
    const huge = new Uint32Array(N_ITEMS * DIM).fill(SCALE * 10);
    await roundOn(nodes, clients, 0, [0, 1]);
    await nodes[2]!.contribute(0, huge, CLIENTS_PER_NODE);
    await allPast(nodes, 0);
    for (const n of nodes)
      expect(n.closingOf(0)!.included).toEqual({ 'node-a': CLIENTS_PER_NODE, 'node-b': CLIENTS_PER_NODE });
    await stop();
  });

  it('does not close below the minimum number of clients across nodes', async () => {
    const { nodes, clients, stop } = await cluster();
    await roundOn(nodes, clients, 0, [0]);
    await sleep(1500);
    expect(nodes.map((n) => n.round)).toEqual([0, 0, 0]);
    await expect(nodes[1]!.contribute(0, new Uint32Array(N_ITEMS * DIM), 1)).rejects.toThrow(
      /too few updates/,
    );
    await stop();
  });
});
