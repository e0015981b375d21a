import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CatalogItem } from '../../core/config.js';
import { type Artifact, readArtifact, recommend } from '../../core/recommend/index.js';
import type { LoggedEvent, Profile } from '../../core/types.js';
import { buildModel } from '../../train/index.js';
import { DEFAULT_LIVE } from '../lifecycle-config.js';
import { LiveModel } from './live-model.js';

const catalog = JSON.parse(
  readFileSync(new URL('../../../examples/shop/catalog.json', import.meta.url), 'utf8'),
) as CatalogItem[];
const A = catalog.find((c) => c.category === 'running')!;
// A product of another category, added to the shop after the last retrain.
const NEW = catalog.find((c) => c.category === 'yoga')!;
const T0 = Date.UTC(2025, 0, 6, 8);

async function trainedWithout(id: string, events: LoggedEvent[] = []): Promise<Artifact> {
  const { artifact } = await buildModel({ catalog: catalog.filter((c) => c.id !== id), events, now: T0 });
  return readArtifact(artifact);
}

let seq = 0;
function view(visitor: string, item: string, ts: number): LoggedEvent {
  return { id: `e${seq++}`, type: 'view', item, ts, visitor, node: 'n1', received: ts };
}

function viewedOnly(item: string, now: number): Profile {
  return {
    v: 1,
    landmark: now,
    affinities: {},
    counts: {},
    recent: [{ item, type: 'view', at: { p: now, l: 0, n: 'n1' } }],
    traits: {},
    exposures: {},
    suppressions: {},
    seen: [],
  } as unknown as Profile;
}

/** "Viewed together" on A's page: the list for a visitor who just viewed A. */
function viewedTogether(artifact: Artifact, now: number): string[] {
  return recommend({
    artifact,
    profile: viewedOnly(A.id, now),
    count: 10,
    now,
    halfLifeMs: 86_400_000,
    segments: [],
    exclude: new Set([A.id]),
    explorationShare: 0,
  }).map((r) => r.item);
}

function neighboursOf(artifact: Artifact, id: string): string[] {
  const ids = new Int32Array(artifact.k);
  const scores = new Float32Array(artifact.k);
  const n = artifact.neighbours.read(artifact.indexOf(id), ids, scores);
  return Array.from(ids.subarray(0, n), (i) => artifact.idOf(i));
}

afterEach(() => {
  vi.useRealTimers();
});

describe('live updates between retrains', () => {
  it('a new product that visitors start viewing is in "viewed together" within 60 s, without a retrain', async () => {
    vi.useFakeTimers({ now: T0 });
    const base = await trainedWithout(NEW.id);
    expect(base.indexOf(NEW.id)).toBe(-1);
    const live = new LiveModel(new Map(catalog.map((c) => [c.id, c])), DEFAULT_LIVE, Date.now);
    // What the Node app's timer does.
    const timer = setInterval(() => live.refresh(), DEFAULT_LIVE.refreshMs);
    live.production(base);
    expect(live.overlay(base)).toBe(base); // built after the request, never inside it
    await Promise.resolve();
    expect(viewedTogether(live.overlay(base)!, T0)).not.toContain(NEW.id);

    const start = Date.now();
    for (let v = 0; v < 5; v++)
      live.observe([view(`v${v}`, A.id, start + v), view(`v${v}`, NEW.id, start + v + 1)]);
    let appearedAfter: number | undefined;
    for (let s = 0; s <= 60 && appearedAfter === undefined; s++) {
      if (viewedTogether(live.overlay(base)!, Date.now()).includes(NEW.id))
        appearedAfter = Date.now() - start;
      else vi.advanceTimersByTime(1000);
    }
    clearInterval(timer);
    expect(appearedAfter).toBeDefined();
    expect(appearedAfter!).toBeLessThanOrEqual(DEFAULT_LIVE.refreshMs);
    const overlay = live.overlay(base)!;
    expect(overlay.indexOf(NEW.id)).toBe(base.itemCount);
    expect(overlay.idOf(base.itemCount)).toBe(NEW.id);
    expect(overlay.categoryOf(base.itemCount)).toBe('yoga');
    expect(overlay.isNew(base.itemCount)).toBe(true);
    expect(neighboursOf(overlay, NEW.id)).toContain(A.id);
    expect(live.toJSON()).toMatchObject({ new_items: 1, events: 10 });
  });

  it('successors and popularity follow the stream; trained neighbours stay ahead of one stray view', async () => {
    const base = await trainedWithout('none');
    const live = new LiveModel(new Map(catalog.map((c) => [c.id, c])), DEFAULT_LIVE, () => T0);
    live.production(base);
    live.overlay(base);
    await Promise.resolve();
    const B = catalog.find((c) => c.category === 'camping')!;
    live.observe([view('x', A.id, T0), view('x', B.id, T0 + 1)]);
    for (let v = 0; v < 30; v++) live.observe([view(`p${v}`, B.id, T0 + 10 + v)]);
    live.refresh();
    const overlay = live.overlay(base)!;
    const ids = new Int32Array(64);
    const scores = new Float32Array(64);
    const n = overlay.sessionNext!.read(overlay.indexOf(A.id), ids, scores);
    expect(Array.from(ids.subarray(0, n), (i) => overlay.idOf(i))).toContain(B.id);
    expect(overlay.idOf(overlay.popular[0]!)).toBe(B.id);
    // One visitor's A → B is a live neighbour, weighed against the trained row, not replacing it.
    const trained = neighboursOf(base, A.id);
    const merged = neighboursOf(overlay, A.id);
    expect(merged).toContain(B.id);
    expect(merged.filter((id) => trained.includes(id)).length).toBeGreaterThanOrEqual(trained.length - 1);
  });

  it('starts over when a retrain brings a new production model', async () => {
    const base = await trainedWithout(NEW.id);
    const live = new LiveModel(new Map(catalog.map((c) => [c.id, c])), DEFAULT_LIVE, () => T0);
    live.production(base);
    live.observe([view('v', A.id, T0), view('v', NEW.id, T0 + 1)]);
    expect(live.toJSON().events).toBe(2);
    const B = catalog.find((c) => c.category === 'camping')!;
    const retrained = await trainedWithout(NEW.id, [view('v', A.id, T0), view('v', B.id, T0 + 5)]);
    expect(retrained.version).not.toBe(base.version);
    live.production(retrained);
    expect(live.toJSON().events).toBe(0);
  });
});
