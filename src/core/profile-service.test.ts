import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../stores/memory.js';
import { DEFAULT_SETTINGS } from './config.js';
import { createKeyRing } from './identity/index.js';
import type { ProfileStore } from './ports.js';
import { silentLogger } from './ports.js';
import { eventCount } from './profile/index.js';
import { ProfileService } from './profile-service.js';

function service(slowMs: number) {
  const mem = createMemoryStore();
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const slow: ProfileStore = {
    ...mem.profiles,
    name: 'slow',
    get: (id) => mem.profiles.get(id),
    merge: async (id, delta) => {
      if (slowMs > 0) await gate;
      return mem.profiles.merge(id, delta);
    },
  };
  const svc = new ProfileService({
    settings: { ...DEFAULT_SETTINGS, secret: 'x'.repeat(32) },
    ring: createKeyRing('x'.repeat(32)),
    store: slow,
    log: mem.events,
    logger: silentLogger,
    now: Date.now,
    item: (id) => ({ id, title: id, category: 'running', brand: 'b', price: 1, tags: [], in_stock: true }),
  });
  return { svc, release };
}

describe('profile service', () => {
  it('lets the next decision see an edge-observed view before the store has it', async () => {
    const { svc, release } = service(1);
    const view = { id: 'v1', type: 'view' as const, ts: Date.now(), item: 'p-1' };
    const { stored } = svc.observe('visitor', undefined, [view]);
    const before = await svc.forDecision('visitor', undefined);
    expect(before.entry?.profile.recent.map((r) => r.item)).toEqual(['p-1']);
    release();
    await stored;
    const after = await svc.forDecision('visitor', undefined);
    expect(after.source).toBe('cache');
    expect(after.entry?.profile.recent.map((r) => r.item)).toEqual(['p-1']);
  });

  it('applies concurrent ingests for one visitor one after the other, losing no increment', async () => {
    const { svc } = service(0);
    const now = Date.now();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        svc.ingest('v', [{ id: `e${i}`, type: 'click', ts: now, item: `p-${i}` }]),
      ),
    );
    const p = (await svc.load('v'))!.profile;
    // Twenty clicks from one node: a lost increment would read as 1 or so.
    expect(eventCount(p, 'click', now, DEFAULT_SETTINGS.halfLifeMs)).toBeCloseTo(20, 1);
  });
});
