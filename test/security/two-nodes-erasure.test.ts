/**
 * Erasure reaches every node: two engines in one process, each with a store
 * of its own, joined by a memory bus. A visitor's profile, built on node A,
 * reaches node B; erased on A (through the admin path's `eraseVisitor`), it
 * leaves B's store, B's event log and B's cache by the tombstone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryBus, createMemoryHub } from '../../src/bus/memory.js';
import { type ClusterSync, startClusterSync } from '../../src/cluster/cluster-sync.js';
import { createEngine, type Engine } from '../../src/core/engine.js';
import { silentLogger } from '../../src/core/ports.js';
import { eraseVisitor, eventsOf } from '../../src/core/privacy/index.js';
import { parseSiteConfig } from '../../src/core/segments/index.js';
import { createMemoryStore } from '../../src/profiles/memory.js';
import { loadSite, packageRoot } from '../../src/runtimes/node/app.js';
import { createNodeRewriter } from '../../src/runtimes/node/html-rewriter.js';

const hub = createMemoryHub();
const nodes: Array<{ engine: Engine; sync: ClusterSync }> = [];

beforeAll(async () => {
  const shop = await loadSite(`${packageRoot}/examples/shop`);
  const site = parseSiteConfig(shop.site);
  for (const nodeId of ['node-a', 'node-b']) {
    const stores = createMemoryStore();
    const engine = createEngine(
      { site, catalog: shop.catalog, settings: { secret: 'two-nodes-secret-two-nodes-secret-0000', nodeId } },
      { profiles: stores.profiles, events: stores.events, rewriter: createNodeRewriter },
    );
    const sync = await startClusterSync({
      bus: createMemoryBus({ hub }),
      nodeId,
      engine,
      localStore: true,
      logger: silentLogger,
    });
    nodes.push({ engine, sync });
  }
});

afterAll(async () => {
  for (const n of nodes) {
    await n.sync.close();
    await n.engine.close();
  }
});

async function until(cond: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('erasure across nodes', () => {
  it('a tombstone from node A removes the visitor from node B store and cache', async () => {
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    const visitor = 'two-node-visitor-000001';
    const bystander = 'two-node-bystander-0001';
    const now = Date.now();
    await a.engine.ingest(visitor, [{ id: 'e1', type: 'view', ts: now, item: 'p-0042' }]);
    await a.engine.ingest(bystander, [{ id: 'e1', type: 'view', ts: now, item: 'p-0003' }]);
    await until(async () => (await b.engine.state.store.get(visitor)) !== undefined, 'the delta on node B');
    await b.engine.state.profiles.load(visitor);
    expect(b.engine.state.profiles.cache.get(visitor)).toBeDefined();
    // Node B's own log holds an event of the visitor too (a page it served).
    await b.engine.state.log.append([
      { id: 'e2', type: 'view', ts: now, item: 'p-0042', visitor, node: 'node-b', received: now },
    ]);

    await eraseVisitor(a.engine.state, visitor);

    await until(
      async () => (await b.engine.state.store.get(visitor)) === undefined,
      'the tombstone on node B',
    );
    expect(b.engine.state.profiles.cache.get(visitor)).toBeUndefined();
    expect(await eventsOf(b.engine.state.log, visitor)).toEqual([]);
    expect(await a.engine.state.store.get(visitor)).toBeUndefined();
    expect(await b.engine.state.store.get(bystander)).toBeDefined();
  });
});
