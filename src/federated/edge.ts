/**
 * A node's on-device learning as `tessera serve` runs it: the browsers'
 * round coordinator (`coordinator.ts`) joined to this node's
 * `FederationNode` (`federation.ts`). Each local secure-aggregation round's
 * unmasked sum is this node's partial; the federation adds the noise once,
 * closes the round across nodes, and registers the table as a `federated-mf`
 * candidate with its privacy budget.
 *
 * With a bus (Redis or NATS, the one cluster sync uses) the partials travel
 * to the other nodes of `nodes`. Without one, the federation runs on an
 * in-process bus of its own and this node, its only member, closes every
 * round itself: one code path, so a single node's versions carry the same
 * metadata as a cluster's.
 * @module
 */
import { createMemoryBus } from '../bus/memory.js';
import type { CatalogItem } from '../core/config.js';
import type { Bus, Logger } from '../core/ports.js';
import type { ModelVersions } from '../models/model-registry.js';
import { createRng } from '../train/rng.js';
import { noiseMultiplierFor } from './accountant.js';
import { FederatedCoordinator } from './coordinator.js';
import type { FederatedSettings } from './edge-settings.js';
import { FederationNode } from './federation.js';
import { fixedPointScale } from './secure-agg.js';

export interface EdgeFederationOptions {
  settings: FederatedSettings;
  nodeId: string;
  catalog: ReadonlyArray<CatalogItem>;
  models: ModelVersions;
  /** The cluster's bus; undefined: this node federates alone. */
  bus?: Bus | undefined;
  /** Bus topic (default `federated`; give each deployment sharing a bus its own). */
  topic?: string;
  logger?: Logger;
  now?: () => number;
}

export interface EdgeFederation {
  coordinator: FederatedCoordinator;
  node: FederationNode;
  stop(): Promise<void>;
}

/** The table before round 0: the same on every node, from the settings' seed. */
export function initialTable(length: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length }, () => (rng() - 0.5) * 0.2);
}

export async function startEdgeFederation(o: EdgeFederationOptions): Promise<EdgeFederation> {
  const s = o.settings;
  const members = s.nodes ?? [o.nodeId];
  if (!members.includes(o.nodeId))
    throw new Error(
      `[tessera] [federated] node ${o.nodeId} is not in federated.nodes (${members.join(', ')})`,
    );
  if (members.length > 1 && !o.bus)
    throw new Error('[tessera] [federated] federated.nodes lists other nodes: give the node a --bus');
  const total = s.clientsPerRound * members.length;
  const minClients = Math.max(s.minClients ?? Math.ceil(total / 2), s.minClientsPerNode);
  // Sized for every client of the federation, so the merged sum cannot wrap.
  const scale = fixedPointScale(s.clip, total);
  const items = o.catalog.map((it) => it.id);
  const initial = initialTable(items.length * s.dim, s.seed);
  const ownBus = o.bus ? undefined : createMemoryBus();
  const node = await FederationNode.start({
    node: o.nodeId,
    members,
    bus: o.bus ?? ownBus!,
    ...(o.topic ? { topic: o.topic } : {}),
    models: o.models,
    catalog: o.catalog.map(({ id, category, brand, tags, in_stock }) => ({
      id,
      category,
      brand,
      tags,
      in_stock,
    })),
    dim: s.dim,
    initial,
    clip: s.clip,
    scale,
    clientsPerRound: total,
    minClients,
    minClientsPerNode: s.minClientsPerNode,
    z: noiseMultiplierFor(s.epsilon, s.delta, s.rounds),
    delta: s.delta,
    budget: s.epsilon,
    learningRate: s.serverLearningRate,
    momentum: s.momentum,
    graceMs: s.graceMs,
    onError: (e) => o.logger?.warn('[tessera] [federated] federation', { error: String(e) }),
  });
  const coordinator = new FederatedCoordinator({
    items,
    dim: s.dim,
    clip: s.clip,
    clientsPerRound: s.clientsPerRound,
    // Alone, this node's round is the federation's; in a cluster, each node needs only enough for a partial.
    minClients: members.length === 1 ? minClients : s.minClientsPerNode,
    epsilon: s.epsilon,
    delta: s.delta,
    rounds: s.rounds,
    local: s.local,
    serverLearningRate: s.serverLearningRate,
    momentum: s.momentum,
    registerMs: s.registerMs,
    submitMs: s.submitMs,
    unmaskMs: s.unmaskMs,
    initial,
    scale,
    federation: node,
    ...(o.now ? { now: o.now } : {}),
  });
  return {
    coordinator,
    node,
    async stop() {
      await node.stop();
      await ownBus?.close();
    },
  };
}
