/**
 * Events spooled while the event log was down reach the model lifecycle
 * when replay hands them to the log: once each (the log's dedupe decides),
 * never at spool time. The Node wiring as the app builds it: the shared
 * state's spool and replay around a log that goes down and comes back, the
 * engine's ingest, and the lifecycle's live counts and bus.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeEnvelope } from '../../bus/codec.js';
import { startReplay } from '../../cluster/replay.js';
import { replayLog, resilientLog } from '../../cluster/resilient.js';
import { DependencyDownError, type DriverStatus } from '../../connections/status.js';
import type { CatalogItem, SiteConfig } from '../../core/config.js';
import { createEngine } from '../../core/engine.js';
import { silentLogger } from '../../core/ports.js';
import type { LoggedEvent, TesseraEvent } from '../../core/types.js';
import { createMemoryEventLog } from '../../logs/memory.js';
import { EVENTS_TOPIC } from '../../models/lifecycle-bus.js';
import { parseModelLifecycle } from '../../models/lifecycle-config.js';
import { createMetrics } from '../../observe/metrics.js';
import { openStore } from '../../registry.js';
import { createNodeRewriter } from './html-rewriter.js';
import { EARLY_KEPT, tapEventLog } from './log-tap.js';
import { startModelLifecycle } from './model-lifecycle.js';
import { withSharedState } from './shared-state.js';
import { openSpool } from './spool.js';

/** A memory log that can be cut like a networked one: fails fast while down, says when it is back. */
function cuttableLog() {
  const log = createMemoryEventLog('flaky');
  let status: DriverStatus = 'ready';
  const listeners = new Set<(s: DriverStatus) => void>();
  const down = () => new DependencyDownError('flaky', '127.0.0.1:1', 'connection refused');
  return {
    ...log,
    append: async (events: LoggedEvent[]) => {
      if (status !== 'ready') throw down();
      return log.append(events);
    },
    deleteVisitor: async (visitor: string) => {
      if (status !== 'ready') throw down();
      return log.deleteVisitor(visitor);
    },
    status: () => status,
    onStatus(l: (s: DriverStatus) => void) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    set(s: DriverStatus) {
      status = s;
      for (const l of listeners) l(s);
    },
  };
}

let n = 0;
/** Clicks, not views: ingest drops a view repeating one the profile has (repeat-views.ts). */
const click = (item: string): TesseraEvent => ({ id: `e${n++}`, type: 'click', ts: Date.now(), item });
const logged = (e: TesseraEvent, visitor = 'v1'): LoggedEvent => ({
  ...e,
  visitor,
  node: 'node-1',
  received: e.ts,
});

describe('the log tap under the spool', () => {
  it('hears a spooled event when replay hands it to the log, once, and not one the log had before the cut', async () => {
    const raw = cuttableLog();
    const tap = tapEventLog(raw);
    const heard: string[] = [];
    tap.listen((fresh) => heard.push(...fresh.map((e) => e.id)));
    const spool = await openSpool(':memory:');
    const log = resilientLog(tap.log, spool);
    const before = logged(click('p-1'));
    await log.append([before]);
    expect(heard).toEqual([before.id]);

    raw.set('down');
    const during = logged(click('p-2'));
    // The caller is told every spooled event is new (it applies them to the profile now) ...
    expect(await log.append([before, during])).toHaveLength(2);
    // ... and the browser retries its beacon while the log is still down.
    await log.append([during]);
    // Nothing is heard at spool time: whether the log has an event is the log's to say.
    expect(heard).toEqual([before.id]);
    expect(spool.pending('log')).toBe(2);

    raw.set('ready');
    const replay = startReplay({
      spool,
      target: 'log',
      logger: silentLogger,
      retryMs: 0,
      apply: (entry) => replayLog(tap.log, entry),
    });
    await replay.drain();
    replay.stop();
    expect(spool.pending('log')).toBe(0);
    expect(heard).toEqual([before.id, during.id]);
    expect(await raw.count()).toBe(2);
    spool.close();
  });

  it('keeps what the log took before anyone listened (replay at start) for the listener, the oldest dropped past the bound', async () => {
    const tap = tapEventLog(createMemoryEventLog());
    const first = Array.from({ length: EARLY_KEPT + 5 }, () => logged(click('p-1')));
    await tap.log.append(first);
    const heard: LoggedEvent[][] = [];
    tap.listen((fresh) => heard.push(fresh));
    expect(heard).toHaveLength(1);
    expect(heard[0]).toHaveLength(EARLY_KEPT);
    expect(heard[0]![0]!.id).toBe(first[5]!.id);
    const later = logged(click('p-2'));
    await tap.log.append([later]);
    expect(heard[1]).toEqual([later]);
  });
});

describe('a node whose event log was down', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('counts the events it spooled in its live counts and forwards them on the bus once the log is back', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-log-tap-'));
    const raw = cuttableLog();
    const opened = await openStore('memory:', { dataDir: dir, prefix: undefined });
    const stores = await withSharedState(
      { ...opened, events: raw },
      { nodeId: 'node-1', dataDir: dir, logger: silentLogger, bus: 'memory:', replayRetryMs: 0 },
    );
    const catalog: CatalogItem[] = ['p-1', 'p-2', 'p-3'].map((id) => ({
      id,
      title: id,
      category: 'running',
      brand: 'b',
      price: 1,
      tags: [],
      in_stock: true,
    }));
    const site: SiteConfig = { name: 'log tap', segments: [], slots: {} };
    const engine = createEngine(
      { site, catalog, settings: { secret: 'log-tap-secret-log-tap-secret-000000' } },
      {
        profiles: stores.profiles,
        events: stores.events,
        rewriter: createNodeRewriter,
        logger: silentLogger,
        ingestFallback: stores.ingestFallback,
      },
    );
    await stores.attach(engine);
    const node = await startModelLifecycle({
      engine,
      store: stores.models,
      site,
      catalog,
      config: parseModelLifecycle({}),
      tap: stores.logTap,
      metrics: createMetrics({ processMetrics: false }),
      logger: silentLogger,
      pollMs: 0,
      nodeId: 'node-1',
      bus: stores.bus,
    });
    const forwarded: string[] = [];
    await stores.bus!.subscribe(EVENTS_TOPIC, (bytes) => {
      const ids = JSON.parse(new TextDecoder().decode(decodeEnvelope(bytes).payload)) as { id: string }[];
      forwarded.push(...ids.map((e) => e.id));
    });
    const live = () => node.lifecycle.live!.toJSON().events;
    try {
      const before = click('p-1');
      await engine.ingest('visitor-a', [before]);
      expect(live()).toBe(1);

      raw.set('down');
      const during = [click('p-2'), click('p-3')];
      // A batch resent with an event the log took before the cut, then the same batch again.
      await engine.ingest('visitor-a', [before, ...during]);
      await engine.ingest('visitor-a', during);
      expect(stores.health().dependencies.spool).toMatchObject({ log: 2 });
      expect(live()).toBe(1);

      raw.set('ready');
      await vi.waitFor(() => expect(stores.health().dependencies.spool).toMatchObject({ log: 0 }));
      expect(live()).toBe(3);
      await vi.waitFor(() =>
        expect(forwarded.sort()).toEqual([before.id, ...during.map((e) => e.id)].sort()),
      );
      expect(await raw.count()).toBe(3);
    } finally {
      node.stop();
      await stores.close();
    }
  });
});
