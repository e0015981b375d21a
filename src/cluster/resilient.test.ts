import { describe, expect, it } from 'vitest';
import { DependencyDownError } from '../connections/status.js';
import { DEFAULT_SETTINGS } from '../core/config.js';
import { createKeyRing } from '../core/identity/index.js';
import { createLossAccounting } from '../core/loss-accounting.js';
import type { ProfileStore } from '../core/ports.js';
import { silentLogger } from '../core/ports.js';
import { emptyProfile, eventCount } from '../core/profile/index.js';
import { ProfileService } from '../core/profile-service.js';
import { createMemoryStore } from '../profiles/memory.js';
import { openSpool } from '../runtimes/node/spool.js';
import { startReplay } from './replay.js';
import { replayLog, replayStore, resilientLog, resilientStore, spoolIngest } from './resilient.js';

const HALF_LIFE = DEFAULT_SETTINGS.halfLifeMs;
const down = () => new DependencyDownError('redis', '127.0.0.1:6379', 'connection refused');

async function setup() {
  const mem = createMemoryStore();
  let storeUp = true;
  let logUp = true;
  const flaky: ProfileStore = {
    ...mem.profiles,
    name: 'redis',
    get: async (id) => {
      if (!storeUp) throw down();
      return mem.profiles.get(id);
    },
    merge: async (id, delta) => {
      if (!storeUp) throw down();
      return mem.profiles.merge(id, delta);
    },
    delete: async (id) => {
      if (!storeUp) throw down();
      return mem.profiles.delete(id);
    },
  };
  const flakyLog = {
    ...mem.events,
    append: async (events: Parameters<typeof mem.events.append>[0]) => {
      if (!logUp) throw down();
      return mem.events.append(events);
    },
  };
  const spool = await openSpool(':memory:');
  const accounting = createLossAccounting();
  const svc = new ProfileService({
    accounting,
    settings: { ...DEFAULT_SETTINGS, secret: 'x'.repeat(32) },
    ring: createKeyRing('x'.repeat(32)),
    store: resilientStore(flaky, spool),
    log: resilientLog(flakyLog, spool, accounting),
    logger: silentLogger,
    now: Date.now,
    item: (id) => ({ id, title: id, category: 'running', brand: 'b', price: 1, tags: [], in_stock: true }),
    fallback: spoolIngest(spool),
  });
  const replay = startReplay({
    spool,
    target: 'store',
    logger: silentLogger,
    retryMs: 0,
    apply: (e) => replayStore(flaky, e, (v, events) => svc.applyDeferred(v, events)),
  });
  const setStore = (up: boolean) => {
    storeUp = up;
  };
  const setLog = (up: boolean) => {
    logUp = up;
  };
  return { mem, spool, svc, replay, setStore, setLog, accounting };
}

let n = 0;
const clicks = (k: number) =>
  Array.from({ length: k }, () => ({
    id: `e${n++}`,
    type: 'click' as const,
    ts: Date.now(),
    item: `p-${n}`,
  }));

describe('degraded ingest', () => {
  it('keeps every event of a visitor the node never cached while the store was down', async () => {
    const { mem, spool, svc, replay, setStore } = await setup();
    await svc.ingest('v', clicks(5));
    svc.forget('v'); // a node that has not cached the visitor
    setStore(false);
    const r = await svc.ingest('v', clicks(3));
    expect(r.applied).toBe(3);
    expect(spool.pending('store')).toBe(1);
    setStore(true);
    await replay.drain();
    expect(spool.pending()).toBe(0);
    // A profile built from nothing and max-merged would have left 5 here.
    expect(eventCount((await mem.profiles.get('v'))!, 'click', Date.now(), HALF_LIFE)).toBeCloseTo(8, 3);
    replay.stop();
  });

  it('queues later ingests behind deferred ones, and an erasure behind both', async () => {
    const { mem, spool, svc, replay, setStore } = await setup();
    setStore(false);
    await svc.ingest('v', clicks(2));
    setStore(true);
    await svc.ingest('v', clicks(2)); // the store is up, but older writes wait: this one queues too
    await svc.erase('v');
    expect(spool.peek('store', 10).map((e) => e.kind)).toEqual(['apply', 'apply', 'delete', 'unlink']);
    await replay.drain();
    expect(await mem.profiles.get('v')).toBeUndefined();
    replay.stop();
  });

  it('accepts a batch while the log is down and hands it to the log later, once', async () => {
    const { mem, spool, svc, setLog } = await setup();
    setLog(false);
    const events = clicks(4);
    expect((await svc.ingest('v', events)).applied).toBe(4);
    expect(spool.pending('log')).toBe(1);
    expect(await mem.events.count()).toBe(0);
    setLog(true);
    const logReplay = startReplay({
      spool,
      target: 'log',
      logger: silentLogger,
      retryMs: 0,
      apply: async (e) => {
        await mem.events.append(JSON.parse(new TextDecoder().decode(e.body)));
      },
    });
    await logReplay.drain();
    await logReplay.drain();
    expect(await mem.events.count()).toBe(4);
    expect(eventCount((await mem.profiles.get('v'))!, 'click', Date.now(), HALF_LIFE)).toBeCloseTo(4, 3);
    logReplay.stop();
  });

  it('counts the events it spooled, deferred and replayed, and stores each once', async () => {
    const { mem, spool, svc, replay, setStore, setLog, accounting } = await setup();
    setLog(false);
    await svc.ingest('v', clicks(3));
    setLog(true);
    setStore(false);
    // Behind the 3 still spooled, these 2 go to the log's spool too (order), and to the store's.
    await svc.ingest('w', clicks(2));
    expect(accounting.snapshot()).toMatchObject({ stored: 5, spooled: 5, deferred: 2, replayed: 0 });
    setStore(true);
    const logReplay = startReplay({
      spool,
      target: 'log',
      logger: silentLogger,
      retryMs: 0,
      apply: (e) => replayLog(mem.events, e, accounting),
    });
    await logReplay.drain();
    await replay.drain();
    expect(await mem.events.count()).toBe(5);
    expect(accounting.snapshot()).toMatchObject({ stored: 5, spooled: 5, deferred: 2, replayed: 5 });
    logReplay.stop();
    replay.stop();
  });
});

describe('resilientStore', () => {
  it('passes what a delta was folded from on to the store (it may skip the merge)', async () => {
    const mem = await createMemoryStore();
    const seen: Array<{ over?: unknown } | undefined> = [];
    const inner: ProfileStore = {
      ...mem.profiles,
      name: 'spy',
      merge: (id, delta, opts) => {
        seen.push(opts);
        return mem.profiles.merge(id, delta);
      },
    };
    const spool = await openSpool(':memory:');
    const over = emptyProfile(0);
    await resilientStore(inner, spool).merge('v', emptyProfile(0), { over });
    expect(seen[0]?.over).toBe(over);
  });
});
