import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CatalogItem } from '../../core/config.js';
import type { ModelRoute, ModelRouter, RoutedDecision, SlotLists } from '../../core/model-router.js';
import { type Artifact, readArtifact } from '../../core/recommend/index.js';
import type { LoggedEvent } from '../../core/types.js';
import { buildModel } from '../../train/index.js';
import { ModelLifecycle } from '../lifecycle.js';
import {
  DEFAULT_LIVE,
  DEFAULT_ROLLOUT,
  parseModelLifecycle,
  type RolloutConfig,
} from '../lifecycle-config.js';
import { createMemoryModelStore } from '../memory.js';
import { promoteModel, registerModel } from '../model-registry.js';
import { overlapAtK, Rollout } from './rollout.js';

const catalog = JSON.parse(
  readFileSync(new URL('../../../examples/shop/catalog.json', import.meta.url), 'utf8'),
) as CatalogItem[];
const SLOTS = new Set(['recommended']);

async function model(k: number): Promise<{ bytes: ArrayBuffer; artifact: Artifact }> {
  const { artifact } = await buildModel({ catalog, events: [], k, now: 0 });
  return { bytes: artifact, artifact: readArtifact(artifact) };
}

const lists = (items: string[]): SlotLists => ({
  recommended: items.map((item) => ({ item, score: 1, reason: '' })),
});

function decided(
  route: ModelRoute,
  visitor: string,
  ms: number,
  again?: RoutedDecision['again'],
): RoutedDecision {
  return {
    visitorId: visitor,
    route,
    ms,
    lists: lists(['a', 'b', 'c', 'd']),
    again: again ?? (() => ({ lists: lists(['a', 'b', 'x', 'y']), ms })),
  };
}

function click(visitor: string): LoggedEvent {
  return {
    id: `c-${visitor}`,
    type: 'click',
    item: 'a',
    props: { slot: 'recommended' },
    ts: 0,
    visitor,
    node: 'n',
    received: 0,
  };
}

/** `n` visitors through the router; those the click rate of their arm says click a recommendation. */
function traffic(
  route: (visitor: string) => ModelRoute,
  report: (d: RoutedDecision) => void,
  event: (e: LoggedEvent) => void,
  o: { n: number; prodClick: number; candClick: number; prodMs?: number; candMs?: number; from?: number },
): void {
  for (let i = o.from ?? 0; i < (o.from ?? 0) + o.n; i++) {
    const v = `visitor-${i}`;
    const r = route(v);
    const cand = r.arm === 'candidate';
    report(decided(r, v, cand ? (o.candMs ?? 0.2) : (o.prodMs ?? 0.2)));
    // Deterministic: the i-th visitor of an arm clicks when its running share is under the rate.
    const rate = cand ? o.candClick : o.prodClick;
    if ((i * 0.618033988749895) % 1 < rate) event(click(v));
  }
}

const config = (c: Partial<RolloutConfig> = {}): RolloutConfig => ({ ...DEFAULT_ROLLOUT, share: 0.5, ...c });

describe('rollout: canary', () => {
  it('serves the candidate to a sticky share of visitors, a new slice per candidate', async () => {
    const [a, b] = [await model(10), await model(20)];
    const r1 = new Rollout(a.artifact, config({ share: 0.3 }), SLOTS);
    const r2 = new Rollout(b.artifact, config({ share: 0.3 }), SLOTS);
    const ids = Array.from({ length: 10_000 }, (_, i) => `v${i}`);
    const inA = ids.filter((v) => r1.inCanary(v));
    expect(inA.length / ids.length).toBeGreaterThan(0.27);
    expect(inA.length / ids.length).toBeLessThan(0.33);
    expect(ids.filter((v) => r1.inCanary(v))).toEqual(inA); // sticky
    const both = inA.filter((v) => r2.inCanary(v)).length;
    expect(both / inA.length).toBeLessThan(0.4); // independent slices: ≈ 0.3
    expect(r1.route(undefined, undefined).arm).toBe('production'); // no id, no canary
  });

  it('rolls back a candidate whose recommendations are clicked less, and promotes one clicked more', async () => {
    const { artifact } = await model(10);
    for (const [prodClick, candClick, action] of [
      [0.5, 0.25, 'rollback'],
      [0.3, 0.55, 'promote'],
    ] as const) {
      const r = new Rollout(artifact, config(), SLOTS);
      let verdict = r.judge();
      let n = 0;
      while (verdict.action === 'continue' && n < 20_000) {
        traffic(
          (v) => r.route(undefined, v),
          (d) => r.decided(d, artifact),
          (e) => r.event(e),
          { n: 50, prodClick, candClick, from: n },
        );
        n += 50;
        verdict = r.judge();
      }
      expect(verdict.action).toBe(action);
      expect(n).toBeLessThan(5000);
      if (verdict.action !== 'continue') expect(verdict.reason).toMatch(/click rate/);
    }
  });

  it('rolls back on the latency guardrail before any statistics, and on errors', async () => {
    const { artifact } = await model(10);
    const slow = new Rollout(artifact, config(), SLOTS);
    traffic(
      (v) => slow.route(undefined, v),
      (d) => slow.decided(d, artifact),
      () => {},
      { n: 400, prodClick: 0.5, candClick: 0.5, prodMs: 0.2, candMs: 6 },
    );
    const v1 = slow.judge();
    expect(v1).toMatchObject({ action: 'rollback' });
    expect((v1 as { reason: string }).reason).toMatch(
      /^latency: decision p99 6\.00 ms over the limit 2\.20 ms/,
    );

    const broken = new Rollout(artifact, config(), SLOTS);
    traffic(
      (v) => broken.route(undefined, v),
      (d) => broken.decided(d, artifact),
      () => {},
      {
        n: 100,
        prodClick: 0.5,
        candClick: 0.5,
      },
    );
    broken.failed();
    broken.failed();
    expect(broken.judge().action).toBe('continue'); // two errors are not yet a rate
    broken.failed();
    expect(broken.judge()).toMatchObject({
      action: 'rollback',
      reason: expect.stringMatching(/^errors: 3 of/),
    });
  });
});

describe('rollout: shadow', () => {
  it('computes the candidate beside production, never serves it, and compares overlap@k', async () => {
    const { artifact } = await model(10);
    const r = new Rollout(artifact, config({ mode: 'shadow', shadowSample: 0.5 }), SLOTS);
    expect(r.share).toBe(0);
    let shadows = 0;
    for (let i = 0; i < 100; i++) {
      const route = r.route(undefined, `v${i}`);
      expect(route.arm).toBe('production');
      r.decided(
        decided(route, `v${i}`, 0.2, () => {
          shadows++;
          return { lists: lists(['a', 'b', 'x', 'y']), ms: 0.3 };
        }),
        artifact,
      );
    }
    expect(shadows).toBe(50);
    expect(r.toJSON().shadow).toEqual({ decisions: 50, overlap_at_k: 0.5 });
    expect(overlapAtK(lists(['a', 'b']), lists(['b', 'c']))).toBe(0.5);
  });

  it('moves on to the canary after a clean shadow (shadow-then-canary)', async () => {
    const { artifact } = await model(10);
    const r = new Rollout(
      artifact,
      config({ mode: 'shadow-then-canary', shadowSample: 1, shadowDecisions: 20 }),
      SLOTS,
    );
    for (let i = 0; i < 20; i++) r.decided(decided(r.route(undefined, `v${i}`), `v${i}`, 0.2), artifact);
    expect(r.judge().action).toBe('continue');
    expect(r.phase).toBe('canary');
    expect(r.share).toBe(0.5);
  });

  it('retires a plain shadow after maxShadowDecisions, never promoting it (no clicks to judge)', async () => {
    const { artifact } = await model(10);
    const r = new Rollout(
      artifact,
      config({ mode: 'shadow', shadowSample: 1, maxShadowDecisions: 20 }),
      SLOTS,
    );
    const serve = (from: number, n: number) => {
      for (let i = from; i < from + n; i++)
        r.decided(decided(r.route(undefined, `v${i}`), `v${i}`, 0.2), artifact);
    };
    serve(0, 19);
    expect(r.judge()).toEqual({ action: 'continue' });
    serve(19, 1);
    const verdict = r.judge();
    expect(verdict.action).toBe('retire');
    expect(verdict).toMatchObject({ reason: expect.stringMatching(/^shadow complete: 20 shadow decisions/) });
    expect(verdict).toMatchObject({ reason: expect.stringContaining('no click evidence') });
    expect(verdict).toMatchObject({ reason: expect.stringContaining('overlap@k 0.50') });
    expect(r.phase).toBe('shadow');
  });

  it('counts the cluster: a shadow ends on the shadow decisions of every node together', async () => {
    const { artifact } = await model(10);
    const shadow = config({ mode: 'shadow', shadowSample: 1, maxShadowDecisions: 20 });
    const [a, b] = [
      new Rollout(artifact, shadow, SLOTS, undefined, 'a~1'),
      new Rollout(artifact, shadow, SLOTS, undefined, 'b~1'),
    ];
    for (let i = 0; i < 10; i++) {
      a.decided(decided(a.route(undefined, `a${i}`), `a${i}`, 0.2), artifact);
      b.decided(decided(b.route(undefined, `b${i}`), `b${i}`, 0.2), artifact);
    }
    expect(a.judge().action).toBe('continue');
    b.merge(a.latest!);
    expect(b.judge()).toMatchObject({
      action: 'retire',
      reason: expect.stringMatching(/^shadow complete: 20 /),
    });
  });
});

describe('model lifecycle: registry moves', () => {
  async function setup(rollout: Partial<RolloutConfig> = {}) {
    const store = createMemoryModelStore();
    const [prod, cand] = [await model(10), await model(20)];
    const p = await registerModel(store, prod.bytes);
    await promoteModel(store, p.version, 'production');
    const c = await registerModel(store, cand.bytes);
    await promoteModel(store, c.version, 'candidate');
    let router: ModelRouter | undefined;
    const swapped: string[] = [];
    const shares: number[] = [];
    let rollbacks = 0;
    const lifecycle = new ModelLifecycle({
      models: {
        route: (r) => {
          router = r;
        },
        swap: (buf) => {
          const version = readArtifact(buf).version;
          swapped.push(version);
          return { version };
        },
      },
      store,
      config: {
        ...parseModelLifecycle({}),
        rollout: config(rollout),
        live: { ...DEFAULT_LIVE, enabled: false },
      },
      catalog: new Map(),
      recSlots: ['recommended'],
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      onShare: (s) => shares.push(s),
      onRollback: () => rollbacks++,
    });
    await lifecycle.check();
    return {
      store,
      prod,
      cand,
      p,
      c,
      lifecycle,
      router: router!,
      swapped,
      shares,
      rollbacks: () => rollbacks,
    };
  }

  async function drive(s: Awaited<ReturnType<typeof setup>>, prodClick: number, candClick: number) {
    let n = 0;
    let outcome = await s.lifecycle.evaluate();
    while (!outcome && n < 20_000) {
      traffic(
        (v) => s.router.route(s.prod.artifact, v),
        (d) => s.router.decided?.(d),
        (e) => s.lifecycle.events([e]),
        { n: 50, prodClick, candClick, from: n },
      );
      n += 50;
      outcome = await s.lifecycle.evaluate();
    }
    return outcome;
  }

  it('promotes a winning candidate to production on the registry and swaps it in', async () => {
    const s = await setup();
    expect(s.lifecycle.candidate?.version).toBe(s.c.version);
    expect(s.shares).toEqual([0.5]);
    const outcome = await drive(s, 0.3, 0.55);
    expect(outcome).toMatchObject({ action: 'promote', candidate: s.c.version });
    const aliases = await s.store.aliases();
    expect(aliases.production).toBe(s.c.version);
    expect(aliases.candidate).toBeUndefined();
    expect(aliases.history).toEqual([s.p.version]);
    expect(s.swapped).toEqual([s.c.version]);
    expect(s.shares.at(-1)).toBe(0);
    expect(s.lifecycle.state()).toMatchObject({
      last_rollout: { action: 'promote' },
      rollout: { candidate: null },
    });
  });

  it('rolls a losing candidate back: the candidate alias goes, production never moved', async () => {
    const s = await setup();
    const outcome = await drive(s, 0.5, 0.25);
    expect(outcome).toMatchObject({ action: 'rollback', candidate: s.c.version });
    const aliases = await s.store.aliases();
    expect(aliases.production).toBe(s.p.version);
    expect(aliases.candidate).toBeUndefined();
    expect(s.swapped).toEqual([]);
    expect(s.rollbacks()).toBe(1);
    // Every visitor is on production again.
    expect(s.router.route(s.prod.artifact, 'visitor-1').arm).toBe('production');
  });

  it('retires a complete shadow by the compare-and-set: the candidate alias goes, production stays', async () => {
    const s = await setup({ mode: 'shadow', shadowSample: 1, maxShadowDecisions: 100 });
    const outcome = await drive(s, 0.3, 0.9);
    expect(outcome).toMatchObject({
      action: 'retire',
      candidate: s.c.version,
      applied: true,
      reason: expect.stringMatching(/^shadow complete: 100 shadow decisions.*no click evidence/),
    });
    const aliases = await s.store.aliases();
    expect(aliases.production).toBe(s.p.version);
    expect(aliases.candidate).toBeUndefined();
    expect(s.swapped).toEqual([]);
    expect(s.rollbacks()).toBe(0);
    expect(s.lifecycle.state()).toMatchObject({
      last_rollout: { action: 'retire' },
      rollout: { candidate: null },
    });
  });

  it("leaves an operator's newer candidate alone when its shadow completes", async () => {
    const s = await setup({ mode: 'shadow', shadowSample: 1, maxShadowDecisions: 100 });
    const newer = await registerModel(s.store, (await model(30)).bytes);
    await promoteModel(s.store, newer.version, 'candidate');
    const outcome = await drive(s, 0.3, 0.3);
    expect(outcome).toMatchObject({ action: 'retire', candidate: s.c.version, applied: false });
    expect((await s.store.aliases()).candidate).toBe(newer.version);
  });

  it('stops the rollout when another node concluded it (the candidate alias is gone)', async () => {
    const s = await setup();
    await promoteModel(s.store, s.c.version, 'production');
    await s.lifecycle.check();
    expect(s.lifecycle.candidate).toBeUndefined();
    expect(s.shares.at(-1)).toBe(0);
  });
});

describe('model lifecycle config', () => {
  it('fills defaults and names a bad field', () => {
    expect(parseModelLifecycle(undefined).rollout).toEqual(DEFAULT_ROLLOUT);
    expect(
      parseModelLifecycle({ retrain: { window: '02:00-05:00', timeZone: 'Europe/Berlin' } }).retrain,
    ).toMatchObject({
      window: '02:00-05:00',
      timeZone: 'Europe/Berlin',
      worker: true,
    });
    expect(() => parseModelLifecycle({ rollout: { share: 2 } })).toThrow(/models\.rollout\.share/);
    expect(parseModelLifecycle({ rollout: { maxShadowDecisions: 500 } }).rollout.maxShadowDecisions).toBe(
      500,
    );
    expect(() => parseModelLifecycle({ rollout: { maxShadowDecisions: 0 } })).toThrow(
      /models\.rollout\.maxShadowDecisions/,
    );
    expect(() => parseModelLifecycle({ retrain: { timeZone: 'Mars/Olympus' } })).toThrow(/IANA/);
  });
});
