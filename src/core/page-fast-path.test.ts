import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../profiles/memory.js';
import { DEFAULT_SETTINGS } from './config.js';
import { buildContext } from './context.js';
import { createKeyRing, signId, verifySignedId } from './identity/index.js';
import { silentLogger } from './ports.js';
import { ProfileService } from './profile-service.js';
import { resolveVisitorNow } from './visitor.js';

const SECRET = 'x'.repeat(32);
const settings = { ...DEFAULT_SETTINGS, secret: SECRET };
const ring = createKeyRing(SECRET);

function service() {
  const mem = createMemoryStore();
  return new ProfileService({
    settings,
    ring,
    store: mem.profiles,
    log: mem.events,
    logger: silentLogger,
    now: Date.now,
    item: (id) => ({ id, title: id, category: 'running', brand: 'b', price: 1, tags: [], in_stock: true }),
  });
}

function request(cookie: string) {
  const headers = new Map([['cookie', cookie]]);
  return {
    method: 'GET',
    url: 'http://localhost/',
    headers: { get: (n: string) => headers.get(n) ?? null },
    text: async () => '',
  };
}

const isPromise = (v: unknown) => typeof (v as { then?: unknown })?.then === 'function';

describe('the page path without a promise', () => {
  it('reads a profile in memory at once, and anything else through the store', async () => {
    const svc = service();
    const view = { id: 'v1', type: 'view' as const, ts: Date.now(), item: 'p-1' };
    svc.observe('seen', undefined, [view]);
    const now = svc.forDecision('seen', undefined);
    expect(isPromise(now)).toBe(false);
    expect((now as Awaited<typeof now>).source).toBe('cache');
    const later = svc.forDecision('unknown', undefined);
    expect(isPromise(later)).toBe(true);
    expect(await later).toEqual({ entry: undefined, source: 'none' });
    expect(await svc.forDecision('unknown', undefined)).toEqual({ entry: undefined, source: 'none' });
  });

  it('takes a verified id at once only while it is known live, and never once it is erased', async () => {
    const svc = service();
    const id = 'AAAAAAAAAAAAAAAAAAAAAA';
    const cookie = `tsr_id=${await signId(ring, id)}; tsr_consent=p1.a1`;
    expect(await verifySignedId(ring, cookie.slice(7, cookie.indexOf(';')))).toBe(id);
    const resolve = () =>
      resolveVisitorNow(
        buildContext(request(cookie), Date.now(), settings),
        settings,
        ring,
        (v) => svc.erasedIfKnown(v),
        () => 'BBBBBBBBBBBBBBBBBBBBBB',
        (v) => svc.knownLive(v),
      );
    // Not known yet: the store is asked, then the id is known live.
    expect(svc.knownLive(id)).toBe(false);
    const first = resolve();
    expect(isPromise(first)).toBe(true);
    expect((await first).id).toBe(id);
    expect(svc.knownLive(id)).toBe(true);
    const second = resolve();
    expect(isPromise(second)).toBe(false);
    expect((second as Awaited<typeof first>).id).toBe(id);
    // Erased: no longer live, and the visitor gets a new id.
    await svc.erase(id);
    expect(svc.knownLive(id)).toBe(false);
    const after = await resolve();
    expect(after.id).toBe('BBBBBBBBBBBBBBBBBBBBBB');
    expect(after.replaced).toBe(true);
  });
});
