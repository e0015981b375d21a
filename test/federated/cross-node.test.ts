/**
 * Hierarchical FedAvg on the real buses: three Tessera nodes (a federation
 * node and an engine each, with their own bus and registry connections)
 * aggregate their own clients, exchange partial sums over Redis pub/sub or
 * NATS, and close rounds together. Every node must end with the same
 * registry version and ε, the engines must serve that version once it is
 * promoted, and a node that dies mid-round must not block the round while
 * the minimum number of clients is still met.
 *
 * Redis: one shared registry in Redis. NATS (the JetStream server on
 * 127.0.0.1): one file registry per node, so equal versions also show that
 * every node computed the same bytes on its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNatsBus } from '../../src/bus/nats.js';
import { createRedisBus } from '../../src/bus/redis.js';
import { openRedis } from '../../src/connections/redis.js';
import { createEngine } from '../../src/core/engine.js';
import type { Bus, ModelStore } from '../../src/core/ports.js';
import { epsilonOf, noiseMultiplierFor, roundRho } from '../../src/federated/accountant.js';
import { createFileModelStore } from '../../src/models/file.js';
import { promoteModel } from '../../src/models/model-registry.js';
import { createRedisModelStore } from '../../src/models/redis.js';
import { createMemoryStore } from '../../src/profiles/memory.js';
import { createNodeRewriter } from '../../src/runtimes/node/html-rewriter.js';
import {
  allPast,
  CLIENTS_PER_NODE,
  catalog,
  clientsOf,
  DELTA,
  EPSILON,
  NODE_IDS,
  ROUNDS,
  runNodeRound,
  startNodes,
} from '../helpers/federation-cluster.js';
import { NATS_SERVERS, REDIS_URL, requireNats, requireRedis, uniquePrefix } from '../helpers/services.js';

interface Backend {
  buses: Bus[];
  models: ModelStore[];
  close(): Promise<void>;
}

function engineOn(models: ModelStore) {
  const stores = createMemoryStore();
  return createEngine(
    {
      site: { name: 'federated cluster test', segments: [], slots: {} },
      catalog: catalog.map((it) => ({ ...it, title: it.id, price: 1 })),
      settings: { secret: 'federated-cluster-secret-0123456789abcdef' },
    },
    { profiles: stores.profiles, events: stores.events, rewriter: createNodeRewriter, models },
  );
}

const z = noiseMultiplierFor(EPSILON, DELTA, ROUNDS);

function federationOn(name: string, open: () => Promise<Backend>) {
  describe(`aggregation across three nodes on ${name}`, () => {
    it('closes every round; all nodes end with the same registry version and ε, and serve it once promoted', async () => {
      const backend = await open();
      const nodes = await startNodes(backend.buses, backend.models);
      const engines = backend.models.map(engineOn);
      try {
        const clients = await Promise.all([0, 1, 2].map(clientsOf));
        for (let t = 0; t < ROUNDS; t++) {
          await Promise.all(nodes.map((n, i) => runNodeRound(n, clients[i]!, t)));
          await allPast(nodes, t);
        }
        const versions = await Promise.all(nodes.map((n) => n.version()));
        const version = versions[0]!.version;
        expect(versions.map((v) => v?.round)).toEqual([ROUNDS - 1, ROUNDS - 1, ROUNDS - 1]);
        expect(versions.map((v) => v?.version)).toEqual([version, version, version]);
        for (const n of nodes) {
          expect(n.epsilon).toBe(epsilonOf(ROUNDS * roundRho(z), DELTA));
          expect(n.items).toEqual(nodes[0]!.items);
        }
        expect(nodes[0]!.epsilon).toBeCloseTo(EPSILON, 9);
        for (const m of backend.models) {
          expect((await m.aliases()).candidate).toBe(version);
          const meta = (await m.list()).find((x) => x.version === version)!;
          expect(meta.params).toMatchObject({ rounds: ROUNDS, clients: ROUNDS * 15, noise_multiplier: z });
        }
        // The candidate rolls out like any model: promoted, every engine serves it.
        for (const m of backend.models)
          if ((await m.aliases()).production !== version) await promoteModel(m, version, 'production');
        for (const e of engines) expect(await e.models.reload()).toBe(version);
        console.log(
          `[federated] ${name}: ${ROUNDS} rounds × ${3 * CLIENTS_PER_NODE} clients on ${NODE_IDS.length} nodes → ${version}, ε = ${nodes[0]!.epsilon.toFixed(3)} at δ = ${DELTA}`,
        );
      } finally {
        await Promise.all(nodes.map((n) => n.stop()));
        await Promise.all(engines.map((e) => e.close()));
        await backend.close();
      }
    });

    it('a node that dies mid-round does not block the round while the minimum is met', async () => {
      const backend = await open();
      const nodes = await startNodes(backend.buses, backend.models);
      try {
        const clients = await Promise.all([0, 1, 2].map(clientsOf));
        await Promise.all(nodes.map((n, i) => runNodeRound(n, clients[i]!, 0)));
        await allPast(nodes, 0);
        // Round 1: node-c dies (its federation and its bus connection) before its partial goes out.
        await nodes[2]!.stop();
        await backend.buses[2]!.close();
        const live = nodes.slice(0, 2);
        for (let t = 1; t < ROUNDS; t++) {
          await Promise.all(live.map((n, i) => runNodeRound(n, clients[i]!, t)));
          await allPast(live, t);
          expect(live.map((n) => n.closingOf(t)?.clients)).toEqual([10, 10]);
        }
        const [a, b] = await Promise.all(live.map((n) => n.version()));
        expect(a).toEqual(b);
        expect(a?.round).toBe(ROUNDS - 1);
        expect(live[1]!.epsilon).toBe(live[0]!.epsilon);
        expect(live[0]!.epsilon).toBeCloseTo(EPSILON, 9);
        expect(nodes[2]!.round).toBe(1);
      } finally {
        await Promise.all(nodes.map((n) => n.stop()));
        await backend.close();
      }
    });
  });
}

const redisPrefixes: string[] = [];
beforeAll(async () => {
  await requireRedis();
  await requireNats();
});
afterAll(async () => {
  const conn = await openRedis({ url: REDIS_URL });
  for (const prefix of redisPrefixes) {
    const keys = (await conn.run('cleanup', (c) => c.call('KEYS', `${prefix}*`))) as string[];
    if (keys.length > 0) await conn.run('cleanup', (c) => c.call('DEL', ...keys));
  }
  await conn.close();
});

federationOn('Redis', async () => {
  const prefix = `${uniquePrefix('fed')}:`;
  redisPrefixes.push(prefix);
  const buses = await Promise.all(NODE_IDS.map(() => createRedisBus({ url: REDIS_URL, prefix })));
  const models = await Promise.all(NODE_IDS.map(() => createRedisModelStore({ url: REDIS_URL, prefix })));
  return {
    buses,
    models,
    async close() {
      await Promise.allSettled(buses.map((b) => b.close()));
      await Promise.all(models.map((m) => m.close()));
    },
  };
});

federationOn('NATS', async () => {
  const prefix = uniquePrefix('fed');
  const dir = mkdtempSync(join(tmpdir(), 'tessera-federated-'));
  const buses = await Promise.all(NODE_IDS.map(() => createNatsBus({ servers: NATS_SERVERS, prefix })));
  const models = NODE_IDS.map((id) => createFileModelStore({ path: join(dir, id, 'model.tsra') }));
  return {
    buses,
    models,
    async close() {
      await Promise.allSettled(buses.map((b) => b.close()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
