/**
 * Scoped admin tokens over real HTTP: tokens minted by the CLI's code path
 * into the data directory, a running server picking them up, 401 without a
 * token or with an unknown one, 403 with a token lacking the route's scope,
 * and every call (allowed or refused) in the audit log without the token.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenCommand } from '../../src/cli/commands/admin.js';
import { type SecurityTarget, startSecurityApp } from './app.js';

let t: SecurityTarget;
const tokens: Record<string, string> = {};

async function mint(name: string, scopes: string): Promise<string> {
  const out: string[] = [];
  await tokenCommand({ dataDir: t.dir, scopes, name }, (l) => out.push(l));
  return out[0]!;
}

beforeAll(async () => {
  t = await startSecurityApp({ adminToken: '' });
  tokens.reader = await mint('reader', 'read:stats');
  tokens.operator = await mint('operator', 'read:stats,write:config');
  tokens.dpo = await mint('dpo', 'admin:profiles');
}, 60_000);

afterAll(async () => {
  await t?.close();
});

function call(method: string, path: string, token?: string): Promise<Response> {
  return fetch(`${t.base}${path}`, {
    method,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    redirect: 'manual',
  });
}

/** Open the dashboard as a browser would: the token for a session cookie, then the page. */
async function login(token: string): Promise<{ cookie: string; csrf: string; page: Response }> {
  const res = await call('GET', `/admin?token=${token}`);
  expect(res.status).toBe(303);
  const cookie = res.headers.getSetCookie()[0]!.split(';')[0]!;
  const page = await fetch(`${t.base}/admin`, { headers: { cookie, 'sec-fetch-dest': 'document' } });
  const html = await page.clone().text();
  const csrf = /<meta name="tessera-csrf" content="([^"]+)">/.exec(html)?.[1] ?? '';
  return { cookie, csrf, page };
}

/** A call with the session cookie and whatever else a test adds. */
function withCookie(method: string, path: string, cookie: string, headers: Record<string, string> = {}) {
  return fetch(`${t.base}${path}`, { method, headers: { cookie, ...headers }, redirect: 'manual' });
}

function audit(): Array<Record<string, unknown>> {
  return readFileSync(join(t.dir, 'audit.log'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('scoped admin tokens', () => {
  it('prints a tsr_ token once and stores only its hash, readable by the owner only', () => {
    expect(tokens.reader).toMatch(/^tsr_[A-Za-z0-9_-]{43}$/);
    const file = join(t.dir, 'admin-tokens.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    for (const tok of Object.values(tokens)) expect(text).not.toContain(tok);
    expect(JSON.parse(text).tokens.map((r: { name: string }) => r.name)).toEqual([
      'reader',
      'operator',
      'dpo',
    ]);
  });

  it('answers 401 without a token, 401 with an unknown one, 403 without the scope; each with a JSON message', async () => {
    const none = await call('GET', '/admin/api/experiments');
    const wrong = await call('GET', '/admin/api/experiments', 'tsr_not-a-real-token');
    const noScope = await call('POST', '/admin/api/experiments/recs-strategy/pause', tokens.reader);
    expect([none.status, wrong.status, noScope.status]).toEqual([401, 401, 403]);
    expect(((await none.json()) as { error: string }).error).toMatch(/missing bearer token/);
    expect(((await wrong.json()) as { error: string }).error).toMatch(/unknown token/);
    expect(((await noScope.json()) as { error: string }).error).toMatch(/lacks the scope write:config/);
    expect((await call('GET', '/admin/api/profiles/someone', tokens.operator)).status).toBe(403);
    expect((await call('GET', '/admin/api/experiments', tokens.dpo)).status).toBe(403);
  });

  it('lets each token do what its scopes say', async () => {
    expect((await call('GET', '/admin/api/experiments', tokens.reader)).status).toBe(200);
    expect((await call('POST', '/admin/api/experiments/recs-strategy/resume', tokens.operator)).status).toBe(
      200,
    );
    expect((await call('GET', '/admin/api/profiles/nobody-here', tokens.dpo)).status).toBe(404);
    expect((await call('GET', `/admin?token=${tokens.reader}`)).status).toBe(303);
  });

  it('records every call, allowed or refused, with the token name and never the token', async () => {
    const before = audit().length;
    await call('GET', '/admin/api/segments');
    await call('GET', '/admin/api/segments', 'tsr_wrong');
    await call('POST', '/admin/api/experiments/recs-strategy/pause', tokens.reader);
    await call('DELETE', '/admin/api/profiles/visitor-xyz', tokens.dpo);
    const lines = audit().slice(before);
    expect(lines.map((l) => [l.token, l.method, l.route, l.status, l.target])).toEqual([
      ['none', 'GET', '/admin/api/segments', 401, undefined],
      ['none', 'GET', '/admin/api/segments', 401, undefined],
      ['reader', 'POST', '/admin/api/experiments/recs-strategy/pause', 403, 'recs-strategy'],
      // The id is a person's: the trail keeps its keyed pseudonym only.
      ['dpo', 'DELETE', '/admin/api/profiles/:id', 200, await t.app.engine.profiles.pseudonym('visitor-xyz')],
    ]);
    for (const l of lines) expect(Date.parse(String(l.time))).toBeGreaterThan(0);
    const text = readFileSync(join(t.dir, 'audit.log'), 'utf8');
    for (const tok of Object.values(tokens)) expect(text).not.toContain(tok);
    expect(statSync(join(t.dir, 'audit.log')).mode & 0o777).toBe(0o600);
  });

  it('stops accepting a revoked token at the next call', async () => {
    const out: string[] = [];
    await tokenCommand({ dataDir: t.dir, revoke: 'reader' }, (l) => out.push(l));
    expect(out).toEqual(['revoked reader']);
    expect((await call('GET', '/admin/api/experiments', tokens.reader)).status).toBe(401);
    const listed: string[] = [];
    await tokenCommand({ dataDir: t.dir, list: true }, (l) => listed.push(l));
    expect(listed.map((l) => l.split('\t')[0])).toEqual(['operator', 'dpo']);
  });

  it('sends security headers and a hash-only CSP with the dashboard, and the shop CSP with pages', async () => {
    const { page: dash } = await login(tokens.operator!);
    const csp = dash.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain('unsafe-inline');
    expect(dash.headers.get('x-frame-options')).toBe('DENY');
    const page = await fetch(`${t.base}/`);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    expect(dash.headers.get('referrer-policy')).toBe('no-referrer');
    for (const res of [dash, page]) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('permissions-policy')).toContain('camera=()');
    }
  });
});

describe('the dashboard session: the token leaves the URL, the cookie only works from the dashboard', () => {
  it('trades ?token= at once for a short-lived session cookie that is not the token', async () => {
    const res = await call('GET', `/admin?token=${tokens.operator}`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const [cookie, ...more] = res.headers.getSetCookie();
    expect(more).toEqual([]);
    const [pair, ...attrs] = cookie!.split('; ');
    expect(pair).toMatch(/^tsr_admin=[A-Za-z0-9_-]{43}$/);
    expect(cookie).not.toContain(tokens.operator!);
    expect(cookie).not.toContain(encodeURIComponent(tokens.operator!));
    expect(attrs).toEqual(['Path=/admin', 'Max-Age=3600', 'HttpOnly', 'SameSite=Strict']);
    const proxied = await fetch(`${t.base}/admin?token=${tokens.operator}`, {
      headers: { 'x-forwarded-proto': 'https' },
      redirect: 'manual',
    });
    expect(proxied.headers.getSetCookie()[0]).toMatch(/; Secure$/);
  });

  it('answers every admin page and API call with Referrer-Policy: no-referrer', async () => {
    const { cookie, csrf, page } = await login(tokens.operator!);
    expect(page.status).toBe(200);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    const api = await withCookie('GET', '/admin/api/experiments', cookie, { 'x-tessera-csrf': csrf });
    expect(api.status).toBe(200);
    for (const res of [api, await call('GET', '/admin/api/experiments'), await call('GET', '/admin')])
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('refuses a cookie-authenticated call another site makes (Origin, Sec-Fetch-Site) and changes nothing', async () => {
    const { cookie, csrf } = await login(tokens.operator!);
    const pause = '/admin/api/experiments/recs-strategy/pause';
    const evil = await withCookie('POST', pause, cookie, {
      origin: 'https://evil.example',
      'content-type': 'text/plain',
    });
    expect(evil.status).toBe(403);
    expect(((await evil.json()) as { error: string }).error).toMatch(/cross-site call refused/);
    // Even with the right CSRF value (which another site cannot read), a foreign Origin is refused.
    const withValue = { origin: 'https://evil.example', 'x-tessera-csrf': csrf };
    expect((await withCookie('POST', pause, cookie, withValue)).status).toBe(403);
    const fetchSite = { 'sec-fetch-site': 'cross-site', 'x-tessera-csrf': csrf };
    expect((await withCookie('POST', pause, cookie, fetchSite)).status).toBe(403);
    const state = await call('GET', '/admin/api/experiments/recs-strategy', tokens.operator);
    expect(((await state.json()) as { status: string }).status).toBe('running');
  });

  it('refuses the cookie without the dashboard’s CSRF value, as a shop page’s script would call', async () => {
    const { cookie, csrf } = await login(tokens.operator!);
    const sameOrigin = { origin: t.base, 'sec-fetch-site': 'same-origin' };
    const plain = await withCookie('GET', '/admin/api/experiments', cookie, sameOrigin);
    expect(plain.status).toBe(403);
    expect(((await plain.json()) as { error: string }).error).toMatch(/x-tessera-csrf/);
    const guessed = { ...sameOrigin, 'x-tessera-csrf': '1' };
    expect((await withCookie('GET', '/admin/api/experiments', cookie, guessed)).status).toBe(403);
    const own = { ...sameOrigin, 'x-tessera-csrf': csrf };
    expect((await withCookie('GET', '/admin/api/experiments', cookie, own)).status).toBe(200);
    // The page that carries the value is served to a navigation only, never to a script's fetch.
    const fetched = await withCookie('GET', '/admin', cookie, { 'sec-fetch-dest': 'empty' });
    expect(fetched.status).toBe(403);
    expect(await fetched.text()).not.toContain(csrf);
  });

  it('keeps bearer-token calls working without the CSRF header', async () => {
    expect((await call('GET', '/admin/api/experiments', tokens.operator)).status).toBe(200);
    const resume = await fetch(`${t.base}/admin/api/experiments/recs-strategy/resume`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.operator}`, 'content-type': 'text/plain' },
    });
    expect(resume.status).toBe(200);
  });

  it('takes no raw token in the cookie, and ends a session when its token is revoked', async () => {
    expect((await withCookie('GET', '/admin', `tsr_admin=${tokens.operator}`)).status).toBe(401);
    const viewer = await mint('viewer', 'read:stats');
    const { cookie, csrf } = await login(viewer);
    const read = () => withCookie('GET', '/admin/api/segments', cookie, { 'x-tessera-csrf': csrf });
    expect((await read()).status).toBe(200);
    await tokenCommand({ dataDir: t.dir, revoke: 'viewer' }, () => {});
    expect((await read()).status).toBe(401);
  });

  it('keeps the audit log bounded when strangers send long junk paths', async () => {
    const file = join(t.dir, 'audit.log');
    const before = statSync(file).size;
    const junk = `/admin/api/${'x'.repeat(8000)}`;
    for (let i = 0; i < 60; i++) expect((await call('GET', junk)).status).toBe(401);
    const grown = statSync(file).size - before;
    // Before the fix: 60 lines of 8 KB each (≈ 480 KB).
    expect(grown).toBeLessThan(20 * 400);
    const lines = readFileSync(file, 'utf8').slice(before).trim().split('\n');
    const entries = lines.map((x) => JSON.parse(x) as { route: string; routeLength?: number });
    for (const l of entries.filter((e) => e.route !== '*')) {
      expect(l.route.length).toBeLessThanOrEqual(200);
      expect(l.routeLength).toBe(junk.length);
    }
  });
});
