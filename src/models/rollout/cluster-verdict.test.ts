/**
 * A rollout across two nodes sharing one model registry and one (in-process)
 * bus: each node serves half the visitors, too few to conclude alone; their
 * reports merge, the verdict is the whole traffic's, and the aliases move
 * exactly once however many nodes conclude.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMemoryBus, createMemoryHub } from '../../bus/memory.js';
import type { CatalogItem } from '../../core/config.js';
import type { ModelRouter, SlotLists } from '../../core/model-router.js';
import type { ModelStore } from '../../core/ports.js';
import { type Artifact, readArtifact } from '../../core/recommend/index.js';
import type { LoggedEvent } from '../../core/types.js';
import { buildModel } from '../../train/index.js';
import { ModelLifecycle } from '../lifecycle.js';
import { connectLifecycleBus } from '../lifecycle-bus.js';
import { DEFAULT_LIVE, DEFAULT_ROLLOUT, parseModelLifecycle } from '../lifecycle-config.js';
import { createMemoryModelStore } from '../memory.js';
import { promoteModel, registerModel } from '../model-registry.js';
import { promoteCandidate, retireCandidate } from './candidate-moves.js';

const catalog = JSON.parse(
  readFileSync(new URL('../../../examples/shop/catalog.json', import.meta.url), 'utf8'),
) as CatalogItem[];
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const lists = (items: string[]): SlotLists => ({
  recommended: items.map((item) => ({ item, score: 1, reason: '' })),
});
const tick = () => new Promise((r) => setTimeout(r, 5));

async function artifact(k: number) {
  const { artifact: bytes } = await buildModel({ catalog, events: [], k, now: 0 });
  return { bytes, artifact: readArtifact(bytes) };
}

interface Node {
  lifecycle: ModelLifecycle;
  router: ModelRouter;
  swapped: string[];
  promoted: string[];
}

async function node(store: ModelStore, id: string, live = false): Promise<Node> {
  let router: ModelRouter | undefined;
  const swapped: string[] = [];
  const promoted: string[] = [];
  const lifecycle = new ModelLifecycle({
    models: {
      route: (r) => {
        router = r;
      },
      swap: (buf) => {
        const { version } = readArtifact(buf);
        swapped.push(version);
        return { version };
      },
    },
    store,
    config: {
      ...parseModelLifecycle({}),
      rollout: { ...DEFAULT_ROLLOUT, share: 0.5, minVisitors: 150 },
      live: { ...DEFAULT_LIVE, enabled: live },
    },
    catalog: new Map(catalog.map((c) => [c.id, c])),
    recSlots: ['recommended'],
    logger: quiet,
    node: id,
    onPromoted: (v) => promoted.push(v),
  });
  await lifecycle.check();
  return { lifecycle, router: router!, swapped, promoted };
}

async function setup(o: { bus: boolean; live?: boolean }) {
  const store = createMemoryModelStore();
  const [prod, cand] = [await artifact(10), await artifact(20)];
  const p = await registerModel(store, prod.bytes);
  await promoteModel(store, p.version, 'production');
  const c = await registerModel(store, cand.bytes);
  await promoteModel(store, c.version, 'candidate');
  const nodes = [await node(store, 'node-a', o.live), await node(store, 'node-b', o.live)];
  if (o.bus) {
    const hub = createMemoryHub();
    for (const [i, n] of nodes.entries())
      await connectLifecycleBus({
        bus: createMemoryBus({ hub }),
        nodeId: `node-${i}`,
        lifecycle: n.lifecycle,
      });
  }
  return { store, prod: prod.artifact, p, c, nodes };
}

function click(visitor: string, item = 'a'): LoggedEvent {
  return {
    id: `c-${visitor}`,
    type: 'click',
    item,
    props: { slot: 'recommended' },
    ts: 0,
    visitor,
    node: 'n',
    received: 0,
  };
}

/** Visitors `from`..`from+n` served by `server`; their recommendation clicks logged by `logger`. */
function traffic(server: Node, logger: Node, prod: Artifact, from: number, n: number): void {
  for (let i = from; i < from + n; i++) {
    const v = `visitor-${i}`;
    const route = server.router.route(prod, v);
    server.router.decided?.({
      visitorId: v,
      route,
      ms: 0.2,
      lists: lists(['a', 'b', 'c']),
      again: () => ({ lists: lists(['a', 'b', 'c']), ms: 0.2 }),
    });
    const rate = route.arm === 'candidate' ? 0.6 : 0.2;
    if ((i * 0.618033988749895) % 1 < rate) logger.lifecycle.events([click(v)]);
  }
}

describe('rollout across nodes', () => {
  it('each node alone has too few visitors; together they conclude, and the aliases move once', async () => {
    const s = await setup({ bus: true });
    const [a, b] = s.nodes as [Node, Node];
    traffic(a, a, s.prod, 0, 200);
    traffic(b, b, s.prod, 200, 200);
    // Node b's first look: its own counts only (a has not reported yet) — too few.
    expect(await b.lifecycle.evaluate()).toBeUndefined();
    await a.lifecycle.evaluate(); // a sees b's report (delivered), and its own
    await tick();
    const revision = (await s.store.aliases()).revision;
    const [ra, rb] = await Promise.all([a.lifecycle.evaluate(), b.lifecycle.evaluate()]);
    const outcomes = [ra, rb].filter((o) => o !== undefined);
    expect(outcomes.length).toBeGreaterThan(0);
    for (const o of outcomes) {
      expect(o).toMatchObject({ action: 'promote', candidate: s.c.version, replicas: 2 });
      expect(o.visitors.total).toBe(400);
    }
    // Exactly one node moved the aliases, exactly once.
    expect(outcomes.filter((o) => o.applied)).toHaveLength(1);
    const aliases = await s.store.aliases();
    expect(aliases.revision).toBe(revision + 1);
    expect(aliases).toMatchObject({ production: s.c.version, history: [s.p.version] });
    expect(aliases.candidate).toBeUndefined();
    expect([...a.promoted, ...b.promoted]).toEqual([s.c.version]);
    expect([...a.swapped, ...b.swapped]).toEqual([s.c.version]);
    // Nobody moves them again, forwards or backwards.
    await Promise.all([a.lifecycle.check(), b.lifecycle.check()]);
    expect(await a.lifecycle.evaluate()).toBeUndefined();
    expect((await s.store.aliases()).revision).toBe(revision + 1);
  });

  it('without the bus the same traffic concludes nowhere', async () => {
    const s = await setup({ bus: false });
    const [a, b] = s.nodes as [Node, Node];
    traffic(a, a, s.prod, 0, 200);
    traffic(b, b, s.prod, 200, 200);
    expect(await a.lifecycle.evaluate()).toBeUndefined();
    expect(await b.lifecycle.evaluate()).toBeUndefined();
    expect(a.lifecycle.state().rollout).toMatchObject({ cluster: { replicas: 1 } });
  });

  it('credits a click logged on another node to the node that served the visitor', async () => {
    const s = await setup({ bus: true });
    const [a, b] = s.nodes as [Node, Node];
    traffic(a, b, s.prod, 0, 300); // served by a, clicks taken by b's /collect
    await tick();
    await a.lifecycle.evaluate();
    const rollout = a.lifecycle.state().rollout as { production: { click_rate: number } };
    expect(rollout.production.click_rate).toBeGreaterThan(0.1);
  });

  it('a verdict applies only while the candidate alias names the tested version', async () => {
    const s = await setup({ bus: false });
    expect(await retireCandidate(s.store, s.c.version)).toBe(true); // one node rolled it back
    const after = await s.store.aliases();
    // A late promotion of the same candidate (counts a moment older) must not undo the rollback.
    expect(await promoteCandidate(s.store, s.c.version)).toBe(false);
    expect(await retireCandidate(s.store, s.c.version)).toBe(false);
    expect(await s.store.aliases()).toEqual(after);
    // Nor retire a newer candidate an operator registered since.
    const newer = await registerModel(s.store, (await artifact(30)).bytes);
    await promoteModel(s.store, newer.version, 'candidate');
    expect(await retireCandidate(s.store, s.c.version)).toBe(false);
    expect((await s.store.aliases()).candidate).toBe(newer.version);
  });

  it('live counts take the events the other nodes logged', async () => {
    const s = await setup({ bus: true, live: true });
    const [a, b] = s.nodes as [Node, Node];
    const events = [0, 1, 2].map((i) => ({
      ...click(`v${i}`, catalog[i]!.id),
      id: `v-${i}`,
      type: 'view' as const,
    }));
    b.lifecycle.events(events);
    await tick();
    expect(a.lifecycle.live?.toJSON()).toMatchObject({ events: 3, items: 3 });
    expect(b.lifecycle.live?.toJSON()).toMatchObject({ events: 3, items: 3 }); // not counted twice
  });
});
