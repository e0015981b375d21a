/**
 * The admin route on a fake clock: a dashboard session ends when its
 * lifetime is over, and strangers' calls are itemized in the audit log up
 * to a limit a minute, then counted in one summary line.
 */

import { describe, expect, it } from 'vitest';
import type { RouteContext } from '../core/engine-api.js';
import { pathOf } from '../core/http/path.js';
import { createMemoryModelStore } from '../models/memory.js';
import { promoteModel, registerModel } from '../models/model-registry.js';
import { memoryAuditSink } from './audit.js';
import { adminRoute } from './route.js';
import { mintToken } from './tokens.js';

const TOKEN = 'route-test-token-0123456789';

function setup() {
  let now = Date.parse('2025-01-01T00:00:00Z');
  const audit = memoryAuditSink();
  const route = adminRoute({ token: TOKEN, audit });
  const ctx = {
    now: () => now,
    settings: { secureCookies: false, siteName: 'test shop' },
  } as unknown as RouteContext;
  const get = (path: string, headers: Record<string, string> = {}) => {
    const req = new Request(`http://shop.test${path}`, { headers });
    return route.handle(req, ctx, pathOf(req.url));
  };
  const advance = (ms: number) => {
    now += ms;
  };
  return { audit, get, advance };
}

async function openSession(get: ReturnType<typeof setup>['get']): Promise<{ cookie: string; csrf: string }> {
  const res = await get(`/admin?token=${TOKEN}`);
  const cookie = res.cookies[0]!.split(';')[0]!;
  const page = await get('/admin', { cookie });
  const csrf = /name="tessera-csrf" content="([^"]+)"/.exec(String(page.body))?.[1] ?? '';
  return { cookie, csrf };
}

describe('admin sessions', () => {
  it('let the dashboard in for an hour, then answer 401 until the token is presented again', async () => {
    const { get, advance } = setup();
    const { cookie, csrf } = await openSession(get);
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    advance(3_599_000);
    expect((await get('/admin', { cookie })).status).toBe(200);
    advance(1_000);
    const expired = await get('/admin', { cookie });
    expect(expired.status).toBe(401);
    expect(String(expired.body)).toMatch(/session unknown or expired/);
    expect((await get(`/admin?token=${TOKEN}`)).status).toBe(303);
  });

  it('set a Secure cookie when the request came over https', async () => {
    const { get } = setup();
    const res = await get(`/admin?token=${TOKEN}`, { 'x-forwarded-proto': 'https' });
    expect(res.cookies[0]).toMatch(/; Secure$/);
    expect((await get(`/admin?token=${TOKEN}`)).cookies[0]).not.toContain('Secure');
  });
});

describe('the audit log under unauthenticated noise', () => {
  it('itemizes 20 strangers a minute, counts the rest, and writes the count in the next minute', async () => {
    const { audit, get, advance } = setup();
    for (let i = 0; i < 500; i++) await get(`/admin/api/${'x'.repeat(100)}\u0000${i}`);
    expect(audit.entries).toHaveLength(20);
    expect(audit.entries[0]!.route).toMatch(/^\/admin\/api\/x+\\u0000\d+$/);
    await get(`/admin?token=${TOKEN}`);
    expect(audit.entries.at(-1)).toMatchObject({ token: 'env:TESSERA_ADMIN_TOKEN', status: 303 });
    advance(60_000);
    await get('/admin/api/experiments');
    expect(audit.entries.at(-2)).toMatchObject({ token: 'none', route: '*', suppressed: { 401: 480 } });
    expect(audit.entries.at(-1)).toMatchObject({
      token: 'none',
      route: '/admin/api/experiments',
      status: 401,
    });
  });
});

describe('the models panel', () => {
  const ctx = { now: () => 0, settings: { nodeId: 'n1', siteName: 'shop' } } as unknown as RouteContext;
  const models = async (lifecycle?: () => Record<string, unknown> | undefined) => {
    const route = adminRoute({ token: TOKEN, ...(lifecycle ? { lifecycle } : {}) });
    const req = new Request('http://shop.test/admin/api/models', {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const res = await route.handle(req, ctx, pathOf(req.url));
    return JSON.parse(String(res.body)) as {
      canary: { state: string; share: number; candidate: string | null };
    };
  };

  it('shows the candidate rollout the model lifecycle reports, and none without one', async () => {
    expect((await models()).canary).toEqual({ state: 'none', share: 0, candidate: null });
    const rolling = () => ({ rollout: { candidate: 'v2', phase: 'canary', share: 0.25 } });
    expect((await models(rolling)).canary).toEqual({ state: 'canary', share: 0.25, candidate: 'v2' });
    const idle = () => ({ rollout: { mode: 'canary', candidate: null } });
    expect((await models(idle)).canary.state).toBe('none');
  });
});

describe('the models panel’s moves', () => {
  async function registry() {
    const store = createMemoryModelStore();
    const a = await registerModel(store, new TextEncoder().encode('model a').buffer as ArrayBuffer);
    const b = await registerModel(store, new TextEncoder().encode('model b').buffer as ArrayBuffer);
    const c = await registerModel(store, new TextEncoder().encode('model c').buffer as ArrayBuffer);
    await promoteModel(store, a.version);
    await promoteModel(store, b.version);
    await promoteModel(store, c.version, 'candidate');
    return { store, a: a.version, b: b.version, c: c.version };
  }

  it('rolls back and promotes the candidate for write:models only, reloads this node, announces, audits', async () => {
    const { store, a, b, c } = await registry();
    const { record: reader, token: readerToken } = await mintToken('reader', ['read:stats', 'write:config']);
    const { record: ops, token: opsToken } = await mintToken('ops', ['write:models']);
    const audit = memoryAuditSink();
    const announced: string[] = [];
    const route = adminRoute({
      token: undefined,
      tokens: { records: () => [reader, ops] },
      audit,
      models: store,
      announceModel: (v) => announced.push(v),
    });
    let reloads = 0;
    const ctx = {
      now: () => 0,
      settings: { nodeId: 'n1', siteName: 'shop' },
      models: {
        current: () => ({ version: b }),
        async reload() {
          reloads++;
          return (await store.aliases()).production;
        },
      },
    } as unknown as RouteContext;
    const post = (path: string, token: string, body = '{}') => {
      const req = new Request(`http://shop.test${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body,
      });
      return route.handle(req, ctx, pathOf(req.url));
    };
    expect((await post('/admin/api/models/rollback', readerToken)).status).toBe(403);
    expect((await store.aliases()).production).toBe(b);

    const back = await post('/admin/api/models/rollback', opsToken);
    expect(back.status).toBe(200);
    expect(JSON.parse(String(back.body))).toMatchObject({
      action: 'rollback',
      from: b,
      production: a,
      inUse: a,
    });
    expect((await store.aliases()).production).toBe(a);
    // Nothing earlier than a: a second rollback is refused and changes nothing.
    expect((await post('/admin/api/models/rollback', opsToken)).status).toBe(400);

    const promoted = await post('/admin/api/models/promote', opsToken);
    expect(JSON.parse(String(promoted.body))).toMatchObject({ production: c });
    expect((await store.aliases()).candidate).toBeUndefined();
    expect(reloads).toBe(2);
    expect(announced).toEqual([a, c]);
    expect(audit.entries.map((e) => [e.token, e.route, e.status])).toEqual([
      ['reader', '/admin/api/models/rollback', 403],
      ['ops', '/admin/api/models/rollback', 200],
      ['ops', '/admin/api/models/rollback', 400],
      ['ops', '/admin/api/models/promote', 200],
    ]);
  });
});
