/**
 * Anti-entropy however old: two nodes, each with a store of its own, on one
 * bus. Node B is cut off for longer than the resync window while node A
 * changes more visitors than it remembers; when B is back, B has them all,
 * because A pages its store for everything changed since B's cut.
 */
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createMemoryBus, createMemoryHub, type MemoryHub } from '../../src/bus/memory.js';
import { startClusterSync } from '../../src/cluster/cluster-sync.js';
import type { ConnectionState, DriverStatus } from '../../src/connections/status.js';
import { DependencyDownError } from '../../src/connections/status.js';
import { createEngine, type Engine } from '../../src/core/engine.js';
import type { Bus } from '../../src/core/ports.js';
import { silentLogger } from '../../src/core/ports.js';
import { parseSiteConfig } from '../../src/core/segments/index.js';
import type { TesseraEvent } from '../../src/core/types.js';
import { createMemoryStore } from '../../src/profiles/memory.js';
import { loadSite, packageRoot } from '../../src/runtimes/node/app.js';
import { createNodeRewriter } from '../../src/runtimes/node/html-rewriter.js';

/** A memory bus that can be cut off from the hub: publishes fail, nothing arrives, status says so. */
function partitionableBus(hub: MemoryHub): Bus & ConnectionState & { cut(down: boolean): void } {
  const inner = createMemoryBus({ hub });
  let down = false;
  const listeners = new Set<(s: DriverStatus) => void>();
  return {
    name: 'memory',
    async publish(topic, payload) {
      if (down) throw new DependencyDownError('memory', 'hub', 'cut off');
      return inner.publish(topic, payload);
    },
    subscribe: (topic, handler) =>
      inner.subscribe(topic, (payload) => {
        if (!down) handler(payload);
      }),
    close: () => inner.close(),
    status: () => (down ? 'down' : 'ready'),
    onStatus(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    cut(value) {
      down = value;
      for (const l of listeners) l(value ? 'down' : 'ready');
    },
  };
}

const MINUTE = 60_000;

describe('anti-entropy after a partition', () => {
  it('brings a node back to every profile changed during a cut longer than the window, past the recent limit', async () => {
    const shop = await loadSite(join(packageRoot, 'examples/shop'));
    let t = Date.UTC(2025, 0, 1);
    const now = () => t;
    const hub = createMemoryHub();
    const node = async (id: string) => {
      const stores = createMemoryStore({ now });
      const engine: Engine = createEngine(
        {
          site: parseSiteConfig(shop.site),
          catalog: shop.catalog,
          settings: { secret: 'anti-entropy-secret-anti-entropy-000000', nodeId: id },
        },
        { profiles: stores.profiles, events: stores.events, rewriter: createNodeRewriter, now },
      );
      const bus = partitionableBus(hub);
      const sync = await startClusterSync({
        bus,
        nodeId: id,
        engine,
        localStore: true,
        store: stores.profiles,
        logger: silentLogger,
        now,
        // The old limits, small: 5 minutes and 2 remembered visitors.
        resyncWindowMs: 5 * MINUTE,
        recentLimit: 2,
        resyncBatch: 2,
        clockSkewMs: 0,
      });
      return { engine, bus, sync };
    };
    const a = await node('node-a');
    const b = await node('node-b');
    const item = shop.catalog[0]!.id;
    const view = (n: number): TesseraEvent => ({ id: `view-${n}`, type: 'view', ts: t, item });

    b.bus.cut(true);
    // Changed on A at the start of B's cut: B never gets these deltas.
    const visitors = Array.from({ length: 5 }, (_, i) => `visitor-${i}`);
    for (const [i, v] of visitors.entries()) await a.engine.ingest(v, [view(i)]);
    // The cut lasts 10 minutes, twice the window; A changes nothing meanwhile.
    t += 10 * MINUTE;
    for (const v of visitors) expect(await b.engine.profiles.get(v)).toBeUndefined();
    b.bus.cut(false);

    await vi.waitFor(
      async () => {
        for (const v of visitors) expect(await b.engine.profiles.get(v), v).toBeDefined();
      },
      { timeout: 5000, interval: 20 },
    );
    await a.sync.close();
    await b.sync.close();
  });
});
