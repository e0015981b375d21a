import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../profiles/memory.js';
import { DEFAULT_SETTINGS } from './config.js';
import { createKeyRing } from './identity/index.js';
import type { EventLog, ProfileStore } from './ports.js';
import { silentLogger } from './ports.js';
import { stateOwnedBy } from './profile/fold-owner.js';
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

function minimizingService(privacy: Record<string, unknown>, now: () => number = Date.now) {
  const mem = createMemoryStore();
  const ring = createKeyRing('y'.repeat(32));
  const svc = new ProfileService({
    settings: { ...DEFAULT_SETTINGS, secret: 'y'.repeat(32) },
    ring,
    store: mem.profiles,
    log: mem.events,
    logger: silentLogger,
    now,
    item: () => undefined,
    privacy,
  });
  return { svc, log: mem.events, ring };
}

describe('what ingest keeps of personal data', () => {
  it('keeps form values only for allowed fields, and a password never', async () => {
    const { svc, log } = minimizingService({ formFields: ['newsletter_topic', 'password'] });
    const t = Date.now();
    await svc.ingest('v', [
      {
        id: 'f1',
        type: 'form',
        ts: t,
        props: { form: 'login', field: 'password', kind: 'password', value: 'hunter2' },
      },
      {
        id: 'f2',
        type: 'form',
        ts: t,
        props: { form: 'login', field: 'email', kind: 'email', value: 'a@b.test' },
      },
      {
        id: 'f3',
        type: 'form',
        ts: t,
        props: { form: 'nl', field: 'newsletter_topic', kind: 'select', value: 'trail' },
      },
    ]);
    const stored = (await log.read(0, 10)).events.map((e) => e.props);
    expect(stored).toEqual([
      { form: 'login', field: 'password', kind: 'password' },
      { form: 'login', field: 'email', kind: 'email' },
      { form: 'nl', field: 'newsletter_topic', kind: 'select', value: 'trail' },
    ]);
  });

  it('stores that a search happened and its length, the normalized term only when the site allows it', async () => {
    const strict = minimizingService({});
    const t = Date.now();
    await strict.svc.ingest('v', [
      { id: 's1', type: 'search', ts: t, props: { query: '  Red  Shoes ', x: 1 } },
    ]);
    expect((await strict.log.read(0, 10)).events[0]?.props).toEqual({ length: 9 });
    const open = minimizingService({ searchTerms: true });
    await open.svc.ingest('v', [{ id: 's1', type: 'search', ts: t, props: { query: '  Red  Shoes ' } }]);
    expect((await open.log.read(0, 10)).events[0]?.props).toEqual({ query: 'red shoes', length: 9 });
  });

  it('replaces every identify trait the site did not declare by its keyed pseudonym, in the log and the profile', async () => {
    const { svc, log } = minimizingService({ traits: ['plan'] });
    await svc.ingest('v', [
      {
        id: 'i1',
        type: 'identify',
        ts: Date.now(),
        props: {
          userId: 'user-1',
          traits: { email: 'Alice@Example.test', phone: 5551234, plan: 'gold', x: {} },
        },
      },
    ]);
    const pseudonym = await svc.traitPseudonym('alice@example.test');
    expect(pseudonym).toMatch(/^u_[0-9a-f]{32}$/);
    const [e] = (await log.read(0, 10)).events;
    expect(e?.props).toEqual({
      userId: await svc.pseudonym('user-1'),
      traits: { email: pseudonym, phone: await svc.traitPseudonym('5551234'), plan: 'gold' },
    });
    const p = (await svc.load('v'))!.profile;
    expect(p.traits.email?.v).toBe(pseudonym);
    expect(p.traits.plan?.v).toBe('gold');
    expect(JSON.stringify(p)).not.toMatch(/alice|5551234|user-1/i);
  });
});

describe('per-visitor event quota', () => {
  it('stops logging a visitor past the daily quota, still updates the profile, and counts the dropped events', async () => {
    let now = Date.UTC(2026, 0, 10, 12);
    const { svc, log } = minimizingService({ maxEventsPerDay: 30 }, () => now);
    const batch = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => ({ id: `e${from + i}`, type: 'scroll' as const, ts: now }));
    const a = await svc.ingest('v', batch(0, 20));
    expect(a).toMatchObject({ applied: 20, dropped: 0 });
    // A resent batch is no new event: the log knows it, and it takes nothing from the quota.
    expect(await svc.ingest('v', batch(0, 20))).toMatchObject({ applied: 0, dropped: 0 });
    const b = await svc.ingest('v', batch(20, 20));
    expect(b).toMatchObject({ applied: 20, dropped: 10 });
    expect(await log.count()).toBe(30);
    const p = (await svc.load('v'))!.profile;
    expect(eventCount(p, 'scroll', now, DEFAULT_SETTINGS.halfLifeMs)).toBeCloseTo(40, 0);
    // Another visitor has their own quota; the next day starts afresh.
    expect((await svc.ingest('w', batch(100, 5))).dropped).toBe(0);
    now += 86_400_000;
    expect((await svc.ingest('v', batch(200, 5))).dropped).toBe(0);
    expect(await log.count()).toBe(40);
  });

  it('defaults to 2,000 stored events per visitor per day', async () => {
    const { svc, log } = minimizingService({});
    const t = Date.now();
    for (let k = 0; k < 21; k++)
      await svc.ingest(
        'v',
        Array.from({ length: 100 }, (_, i) => ({ id: `e${k}-${i}`, type: 'scroll' as const, ts: t })),
      );
    expect(await log.count()).toBe(2000);
  });
});

describe('erasure', () => {
  function counted() {
    const mem = createMemoryStore();
    let reads = 0;
    const log: EventLog = {
      ...mem.events,
      name: 'counted',
      append: (events) => mem.events.append(events),
      read: (after, limit) => {
        reads++;
        return mem.events.read(after, limit);
      },
      // What the log reports is what the erasure reports, even when it differs from a scan.
      deleteVisitor: async (visitor) => (await mem.events.deleteVisitor(visitor)) + 100,
    };
    const svc = new ProfileService({
      settings: { ...DEFAULT_SETTINGS, secret: 'x'.repeat(32) },
      ring: createKeyRing('x'.repeat(32)),
      store: mem.profiles,
      log,
      logger: silentLogger,
      now: Date.now,
      item: (id) => ({ id, title: id, category: 'running', brand: 'b', price: 1, tags: [], in_stock: true }),
    });
    return { svc, mem, reads: () => reads };
  }

  it('reports the counts the store and the log return, without reading the log', async () => {
    const { svc, mem, reads } = counted();
    const now = Date.now();
    await svc.ingest('v', [
      { id: 'a', type: 'view', ts: now, item: 'p-1' },
      { id: 'b', type: 'click', ts: now, item: 'p-2' },
    ]);
    await mem.profiles.link('v', 'u_1');
    await mem.profiles.link('alias-of-v', 'v');
    expect(await svc.erase('v')).toEqual({ id: 'v', profile: true, events: 102, links: 2 });
    expect(reads()).toBe(0);
    expect(await mem.profiles.get('v')).toBeUndefined();
    expect(await mem.profiles.aliases('v')).toEqual([]);
  });

  it('waits for an ingest in flight for the same visitor, so no profile is left behind', async () => {
    const { svc, release } = service(1);
    const ingest = svc.ingest('v', [{ id: 'a', type: 'view', ts: Date.now(), item: 'p-1' }]);
    const erase = svc.erase('v');
    release();
    await Promise.all([ingest, erase]);
    expect(await svc.peek('v')).toBeUndefined();
    expect(svc.held('v')).toBeUndefined();
  });

  it("leaves no fold state naming the erased visitor's profile", async () => {
    const { svc } = counted();
    const r = await svc.ingest('v', [{ id: 'a', type: 'view', ts: Date.now(), item: 'p-1' }]);
    // The fold keeps the newest profile it made at hand, for the visitor's next events.
    expect(stateOwnedBy(r.profile)).toBeDefined();
    await svc.erase('v');
    expect(stateOwnedBy(r.profile)).toBeUndefined();
  });
});
