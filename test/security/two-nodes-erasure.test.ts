/**
 * Erasure reaches every node: two engines in one process, each with a store
 * of its own, joined by a memory bus. A visitor's profile, built on node A,
 * reaches node B; erased on A (the one erasure path, `engine.profiles.erase`),
 * it leaves B's store, B's event log and B's cache by the tombstone. B
 * carries the tombstone out under the visitor's lock, so an ingest B has in
 * flight for the visitor cannot write the profile back after the delete.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryBus, createMemoryHub } from '../../src/bus/memory.js';
import { type ClusterSync, startClusterSync } from '../../src/cluster/cluster-sync.js';
import { createEngine, type Engine } from '../../src/core/engine.js';
import type { ProfileStore } from '../../src/core/ports.js';
import { silentLogger } from '../../src/core/ports.js';
import { eventsOf } from '../../src/core/privacy/index.js';
import { parseSiteConfig } from '../../src/core/segments/index.js';
import { createMemoryStore } from '../../src/profiles/memory.js';
import { loadSite, packageRoot } from '../../src/runtimes/node/app.js';
import { createNodeRewriter } from '../../src/runtimes/node/html-rewriter.js';

const hub = createMemoryHub();
type Node = { engine: Engine; sync: ClusterSync; stores: ReturnType<typeof createMemoryStore> };
const nodes: Node[] = [];
/** Node B's profile writes for this visitor wait until the test lets them go. */
const SLOW_VISITOR = 'two-node-slow-writer-01';
let heldWrite: { started: () => void; release: Promise<void> } | undefined;

/** A store whose merges for SLOW_VISITOR wait for the test (an ingest caught mid-write). */
function slowForOneVisitor(store: ProfileStore): ProfileStore {
  return {
    ...store,
    name: store.name,
    get: (id) => store.get(id),
    delete: (id) => store.delete(id),
    link: (a, c) => store.link(a, c),
    resolve: (a) => store.resolve(a),
    aliases: (c) => store.aliases(c),
    unlink: (id) => store.unlink(id),
    close: () => store.close(),
    async merge(id, delta) {
      const hold = id === SLOW_VISITOR ? heldWrite : undefined;
      if (hold) {
        hold.started();
        await hold.release;
      }
      return store.merge(id, delta);
    },
  };
}

beforeAll(async () => {
  const shop = await loadSite(`${packageRoot}/examples/shop`);
  const site = parseSiteConfig(shop.site);
  for (const nodeId of ['node-a', 'node-b']) {
    const stores = createMemoryStore();
    const engine = createEngine(
      { site, catalog: shop.catalog, settings: { secret: 'two-nodes-secret-two-nodes-secret-0000', nodeId } },
      { profiles: slowForOneVisitor(stores.profiles), events: stores.events, rewriter: createNodeRewriter },
    );
    const sync = await startClusterSync({
      bus: createMemoryBus({ hub }),
      nodeId,
      engine,
      localStore: true,
      logger: silentLogger,
    });
    nodes.push({ engine, sync, stores });
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
    const [a, b] = nodes as [Node, Node];
    const visitor = 'two-node-visitor-000001';
    const bystander = 'two-node-bystander-0001';
    const now = Date.now();
    await a.engine.ingest(visitor, [{ id: 'e1', type: 'view', ts: now, item: 'p-0042' }]);
    await a.engine.ingest(bystander, [{ id: 'e1', type: 'view', ts: now, item: 'p-0003' }]);
    await until(async () => (await b.stores.profiles.get(visitor)) !== undefined, 'the delta on node B');
    // Node B serves the visitor too: its cache and its own log hold them.
    await b.engine.ingest(visitor, [{ id: 'e2', type: 'view', ts: now, item: 'p-0007' }]);
    expect(b.engine.profiles.held(visitor)).toBeDefined();
    expect(await eventsOf(b.stores.events, visitor)).not.toEqual([]);

    await a.engine.profiles.erase(visitor);

    await until(async () => (await b.stores.profiles.get(visitor)) === undefined, 'the tombstone on node B');
    await until(async () => (await eventsOf(b.stores.events, visitor)).length === 0, 'the log on node B');
    expect(b.engine.profiles.held(visitor)).toBeUndefined();
    expect(await a.stores.profiles.get(visitor)).toBeUndefined();
    expect(await b.stores.profiles.get(bystander)).toBeDefined();
  });

  it('a tombstone waits for an ingest node B has in flight: no profile is written back after it', async () => {
    const [a, b] = nodes as [Node, Node];
    const visitor = SLOW_VISITOR;
    let release!: () => void;
    const started = new Promise<void>((resolve) => {
      heldWrite = { started: resolve, release: new Promise<void>((r) => (release = r)) };
    });
    // B's ingest has logged the event and is writing the profile when the erasure comes.
    const ingest = b.engine.ingest(visitor, [{ id: 'e1', type: 'view', ts: Date.now(), item: 'p-0042' }]);
    await started;
    heldWrite = undefined;
    await a.engine.profiles.erase(visitor);
    // The tombstone reaches B while B's write is held; then the write goes through.
    await new Promise((r) => setTimeout(r, 50));
    release();
    await ingest;
    await until(async () => (await eventsOf(b.stores.events, visitor)).length === 0, 'the erasure on node B');
    expect(await b.stores.profiles.get(visitor)).toBeUndefined();
    expect(b.engine.profiles.held(visitor)).toBeUndefined();
  });
});
