/**
 * The alias follower (a Worker isolate's model lifecycle) against the
 * in-memory registry, with a fake clock: polls only when the TTL has passed,
 * swaps a new production version in, refuses damaged bytes and keeps serving,
 * starts a cold isolate on the last good version, and routes a candidate's
 * canary share stickily, the same visitors a Node node's rollout picks.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { trainShopModel } from '../../examples/cloudflare/train-model.js';
import type { ModelRouter } from '../core/model-router.js';
import type { ModelStore } from '../core/ports.js';
import { type Artifact, artifactVersion, readArtifact } from '../core/recommend/index.js';
import { AliasFollower, checkedArtifact } from './alias-follower.js';
import { DEFAULT_ROLLOUT } from './lifecycle-config.js';
import { createMemoryModelStore } from './memory.js';
import { promoteModel, registerModel, rollbackModel } from './model-registry.js';
import { Rollout } from './rollout/rollout.js';

const views = (items: string[]) =>
  items.map((item, i) => ({
    id: `e${i}`,
    type: 'view' as const,
    ts: 1_000 + i,
    item,
    visitor: `v${i % 7}`,
    node: 'test',
    received: 1_000 + i,
  }));

let models: ArrayBuffer[];
beforeAll(async () => {
  models = [
    await trainShopModel(),
    await trainShopModel(
      undefined,
      views(['p-0001', 'p-0002', 'p-0003', 'p-0004', 'p-0005', 'p-0006'].flatMap((x) => [x, x])),
    ),
    await trainShopModel(
      undefined,
      views(['p-0010', 'p-0011', 'p-0012', 'p-0013'].flatMap((x) => [x, x, x])),
    ),
  ];
  expect(new Set(models.map(artifactVersion)).size).toBe(3);
}, 60_000);

/** The engine's model surface, as far as the follower touches it. */
function fakeEngine() {
  let artifact: Artifact | undefined;
  const e = {
    router: undefined as ModelRouter | undefined,
    swaps: 0,
    current: () => (artifact ? { version: artifact.version } : undefined),
    swap(bytes: ArrayBuffer) {
      artifact = readArtifact(bytes);
      e.swaps++;
      return { version: artifact.version };
    },
    route(r: ModelRouter | undefined) {
      e.router = r;
    },
    served: (visitor: string | undefined) =>
      e.router?.route(artifact, visitor).artifact?.version ?? artifact?.version,
  };
  return e;
}

function damaged(bytes: ArrayBuffer): ArrayBuffer {
  const copy = bytes.slice(0);
  const view = new Uint8Array(copy);
  view[view.length - 5] = view[view.length - 5]! ^ 0xff; // one flipped byte, far from the header
  return copy;
}

async function setup(ttlMs = 1000, share = 0.1) {
  const store = createMemoryModelStore();
  const metas = [];
  for (const m of models) metas.push(await registerModel(store, m));
  const versions = metas.map((m) => m.version);
  await promoteModel(store, versions[0]!);
  let now = 0;
  const follower = new AliasFollower({ store, ttlMs, rollout: { mode: 'canary', share }, now: () => now });
  const engine = fakeEngine();
  const first = await follower.store.get();
  if (first) engine.swap(first);
  follower.attach(engine);
  return { store, follower, engine, versions, tick: (ms: number) => (now += ms) };
}

describe('AliasFollower', () => {
  it('reads the aliases only once the TTL has passed, one poll at a time', async () => {
    const { follower, tick } = await setup(1000);
    expect(follower.due()).toBeUndefined();
    tick(999);
    expect(follower.due()).toBeUndefined();
    tick(1);
    const poll = follower.due();
    expect(poll).toBeInstanceOf(Promise);
    expect(follower.due()).toBeUndefined();
    await poll;
    expect(follower.due()).toBeUndefined();
    expect(follower.state()).toMatchObject({ follow: { polls: 1 } });
  });

  it('swaps in a promoted version at the next poll, and the old one after a rollback', async () => {
    const { store, follower, engine, versions, tick } = await setup();
    expect(engine.current()?.version).toBe(versions[0]);
    await promoteModel(store, versions[1]!);
    expect(engine.current()?.version).toBe(versions[0]); // until the next poll
    tick(1000);
    await follower.due();
    expect(engine.current()?.version).toBe(versions[1]);
    await rollbackModel(store);
    tick(1000);
    await follower.due();
    expect(engine.current()?.version).toBe(versions[0]);
    expect(engine.swaps).toBe(3);
  });

  it('refuses a damaged artifact and keeps serving the version in use', async () => {
    const { store, follower, engine, versions, tick } = await setup();
    const bad = versions[2]!;
    const meta = (await store.list()).find((m) => m.version === bad)!;
    await store.putVersion(damaged(models[2]!), meta);
    await promoteModel(store, bad);
    tick(1000);
    await follower.due();
    expect(engine.current()?.version).toBe(versions[0]);
    const state = follower.state() as { follow: { refused: Array<{ version: string; reason: string }> } };
    expect(state.follow.refused).toEqual([expect.objectContaining({ version: bad })]);
    expect(state.follow.refused[0]!.reason).toMatch(/hash/);
    // Not read again: a refused version stays refused, the next good promotion is taken.
    await promoteModel(store, versions[1]!);
    tick(1000);
    await follower.due();
    expect(engine.current()?.version).toBe(versions[1]);
  });

  it('starts a cold isolate on the newest earlier production version when production is broken', async () => {
    const { store, versions } = await setup();
    await promoteModel(store, versions[1]!);
    const meta = (await store.list()).find((m) => m.version === versions[2])!;
    await store.putVersion(models[2]!.slice(0, 4096), meta); // truncated
    await promoteModel(store, versions[2]!);
    const cold = new AliasFollower({ store, rollout: DEFAULT_ROLLOUT });
    const bytes = await cold.store.get();
    expect(bytes && artifactVersion(bytes)).toBe(versions[1]);
  });

  it('serves a candidate to its sticky share of visitors, the same slice as the Node rollout', async () => {
    const share = 0.3;
    const { store, follower, engine, versions, tick } = await setup(1000, share);
    await promoteModel(store, versions[1]!, 'candidate');
    tick(1000);
    await follower.due();
    expect(engine.current()?.version).toBe(versions[0]);
    const node = new Rollout(
      await checkedArtifact(models[1]!, versions[1]),
      DEFAULT_ROLLOUT,
      new Set(),
      'canary',
    );
    const visitors = Array.from({ length: 2000 }, (_, i) => `visitor-${i}`);
    const inCanary = visitors.filter((v) => engine.served(v) === versions[1]);
    expect(inCanary.length / visitors.length).toBeGreaterThan(share - 0.05);
    expect(inCanary.length / visitors.length).toBeLessThan(share + 0.05);
    // Sticky, and the Node rollout's slice at the same share.
    expect(visitors.filter((v) => engine.served(v) === versions[1])).toEqual(inCanary);
    const nodeSlice = new Rollout(node.candidate, { ...DEFAULT_ROLLOUT, share }, new Set(), 'canary');
    expect(visitors.filter((v) => nodeSlice.inCanary(v))).toEqual(inCanary);
    expect(engine.served(undefined)).toBe(versions[0]); // no id, no canary
    expect(follower.state()).toMatchObject({ rollout: { candidate: versions[1], share, judged: false } });
    // The candidate alias cleared (a rollback decided elsewhere): everyone on production again.
    const a = await store.aliases();
    const { candidate: _, revision, ...rest } = a;
    expect(await store.setAliases(rest, revision)).toBe(true);
    tick(1000);
    await follower.due();
    expect(engine.router).toBeUndefined();
    expect(visitors.every((v) => engine.served(v) === versions[0])).toBe(true);
  });

  it('keeps serving when the registry cannot be read, and says so', async () => {
    const { store, engine, versions } = await setup();
    const failing: ModelStore = { ...store, aliases: () => Promise.reject(new Error('KV down')) };
    let now = 0;
    const f = new AliasFollower({ store: failing, rollout: DEFAULT_ROLLOUT, ttlMs: 10, now: () => now });
    f.attach(engine);
    now = 10;
    await expect(f.due()).resolves.toBeUndefined();
    expect(engine.current()?.version).toBe(versions[0]);
    expect(f.state()).toMatchObject({ follow: { serving: versions[0], error: 'KV down', polls: 0 } });
  });
});
