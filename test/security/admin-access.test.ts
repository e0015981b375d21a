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
  });
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
    expect((await call('GET', `/admin?token=${tokens.reader}`)).status).toBe(200);
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
      [
        'dpo',
        'DELETE',
        '/admin/api/profiles/:id',
        200,
        await t.app.engine.state.profiles.pseudonym('visitor-xyz'),
      ],
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
    const dash = await call('GET', `/admin?token=${tokens.operator}`);
    const csp = dash.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain('unsafe-inline');
    expect(dash.headers.get('x-frame-options')).toBe('DENY');
    const page = await fetch(`${t.base}/`);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    for (const res of [dash, page]) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
      expect(res.headers.get('permissions-policy')).toContain('camera=()');
    }
  });
});
