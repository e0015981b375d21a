/**
 * The limits at the engine's edge: 429 with Retry-After per visitor and per
 * IP on /collect, the trusted client-IP header, 414/431 for an oversized URL
 * or Cookie header, and a limiter outage that lets requests through.
 */
import { describe, expect, it } from 'vitest';
import { request, startFuzzEngine } from '../../../test/fuzz/engine.js';
import type { RequestLike } from '../context.js';
import type { Reply } from '../http/reply.js';
import { silentLogger } from '../ports.js';
import { clientIpOf } from './client-ip.js';
import { type CollectGuard, createCollectGuard, DEFAULT_LIMIT_SETTINGS } from './collect-guard.js';

const EMPTY = '{"events":[]}';
const ACCEPTED: Reply = { status: 202, headers: {}, cookies: [], body: null };

describe('/collect rate limits', () => {
  it('answers 429 with Retry-After and a message once a visitor spends the burst', async () => {
    const f = await startFuzzEngine({ perVisitor: { rate: 1, burst: 3 } });
    const statuses: number[] = [];
    let last: Reply | undefined;
    for (let i = 0; i < 4; i++) {
      last = await f.engine.handle(request('POST', '/collect', { cookie: f.cookie }, EMPTY, `10.0.0.${i}`));
      statuses.push(last.status);
    }
    expect(statuses).toEqual([202, 202, 202, 429]);
    expect(last?.headers['retry-after']).toBe('1');
    expect(JSON.parse(String(last?.body)).error).toMatch(
      /^\[tessera\] \[collect\] too many batches from this visitor/,
    );
    // Another visitor on the same IP is not affected.
    const other = await f.engine.handle(request('POST', '/collect', {}, EMPTY, '10.0.0.1'));
    expect(other.status).toBe(202);
  });

  it('counts a visitor with a valid id against their own bucket, not their IP’s', async () => {
    const f = await startFuzzEngine({ perIp: { rate: 1, burst: 2 } });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await f.engine.handle(request('POST', '/collect', { cookie: f.cookie }, EMPTY, '10.9.9.9'));
      statuses.push(r.status);
    }
    expect(statuses).toEqual([202, 202, 202, 202, 202, 202]);
  });

  it('charges a junk batch (400, 413) ten tokens of its IP’s bucket', async () => {
    const f = await startFuzzEngine({ perIp: { rate: 1, burst: 20 } });
    const statuses: number[] = [];
    const junk = [
      request('POST', '/collect', {}, 'not json', '10.7.7.7'),
      request('POST', '/collect', { 'content-length': '999999' }, '', '10.7.7.7'),
      request('POST', '/collect', {}, EMPTY, '10.7.7.7'),
    ];
    for (const req of junk) statuses.push((await f.engine.handle(req)).status);
    expect(statuses).toEqual([400, 413, 429]);
  });

  it('limits a client IP’s batches without a valid id, whatever cookies they carry', async () => {
    const f = await startFuzzEngine({ perIp: { rate: 1, burst: 2 } });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await f.engine.handle(
        request('POST', '/collect', { cookie: `tsr_id=forged${i}` }, EMPTY, '10.9.9.9'),
      );
      statuses.push(r.status);
    }
    expect(statuses).toEqual([202, 202, 429]);
    expect((await f.engine.handle(request('POST', '/collect', {}, EMPTY, '10.9.9.8'))).status).toBe(202);
  });

  it('lets requests through when the limiter backend fails', async () => {
    const guard = createCollectGuard({
      settings: DEFAULT_LIMIT_SETTINGS,
      limiter: {
        name: 'broken',
        take: () => Promise.reject(new Error('down')),
        charge: () => Promise.reject(new Error('down')),
        close: async () => {},
      },
      idCookie: 'tsr_id',
      verifyId: async () => true,
      logger: silentLogger,
      now: () => 0,
    });
    const req = request('POST', '/collect', { cookie: 'tsr_id=x' }, EMPTY, '1.2.3.4');
    expect((await guard.run(req, async () => ACCEPTED)).status).toBe(202);
    const junk = request('POST', '/collect', {}, 'junk', '1.2.3.4');
    expect((await guard.run(junk, async () => ({ ...ACCEPTED, status: 400 }))).status).toBe(400);
  });
});

describe('client IP', () => {
  const req = (h: Record<string, string>) => request('GET', '/', h, '', '127.0.0.1');

  it('ignores forwarding headers unless one is configured', () => {
    expect(clientIpOf(req({ 'x-forwarded-for': '6.6.6.6' }), undefined)).toBe('127.0.0.1');
  });

  it('takes the configured header, and the entry the proxy appended last in a list', () => {
    expect(clientIpOf(req({ 'cf-connecting-ip': '5.5.5.5' }), 'cf-connecting-ip')).toBe('5.5.5.5');
    expect(clientIpOf(req({ 'x-forwarded-for': '6.6.6.6, 7.7.7.7' }), 'x-forwarded-for')).toBe('7.7.7.7');
    expect(clientIpOf(req({}), 'x-forwarded-for')).toBe('127.0.0.1');
  });
});

describe('URL and cookie sizes', () => {
  it('answers 414 for an oversized URL on any route', async () => {
    const f = await startFuzzEngine();
    for (const path of [`/${'a'.repeat(9000)}`, `/collect?${'q'.repeat(9000)}`]) {
      const r = await f.engine.handle(request(path.startsWith('/collect') ? 'POST' : 'GET', path));
      expect(r.status).toBe(414);
      expect(JSON.parse(String(r.body)).error).toMatch(/^\[tessera\] URL is longer than 8192/);
    }
  });

  it('answers 431 on /collect for a Cookie header the parser would drop', async () => {
    const f = await startFuzzEngine();
    const cookie = `${f.cookie}; pad=${'x'.repeat(9000)}`;
    const r = await f.engine.handle(request('POST', '/collect', { cookie }, EMPTY));
    expect(r.status).toBe(431);
    expect(JSON.parse(String(r.body)).error).toMatch(/^\[tessera\] Cookie header is longer than 8192/);
  });
});

describe('cross-site posts', () => {
  const guardWith = (allowedOrigins?: string[]) =>
    createCollectGuard({
      settings: { ...DEFAULT_LIMIT_SETTINGS, ...(allowedOrigins ? { allowedOrigins } : {}) },
      limiter: {
        name: 'none',
        take: async () => ({ allowed: true, retryAfterMs: 0 }),
        charge: async () => {},
        close: async () => {},
      },
      idCookie: 'tsr_id',
      verifyId: async () => false,
      logger: silentLogger,
      now: () => 0,
    });
  const post = (headers: Record<string, string>) => request('POST', '/collect', headers, EMPTY);
  const check = (guard: CollectGuard, req: RequestLike) =>
    Promise.resolve(guard.run(req, async () => ACCEPTED)).then((r) => (r === ACCEPTED ? undefined : r));

  it('accepts the edge’s own origin, behind a TLS proxy too, and requests without an Origin', async () => {
    const guard = guardWith();
    expect(await check(guard, post({ origin: 'http://shop.test' }))).toBeUndefined();
    const proxied = post({ origin: 'https://shop.test', 'x-forwarded-proto': 'https' });
    expect(await check(guard, proxied)).toBeUndefined();
    expect(await check(guard, post({}))).toBeUndefined();
  });

  it('refuses another origin with 403 unless the site allows it', async () => {
    await expect(check(guardWith(), post({ origin: 'https://shop.example' }))).rejects.toMatchObject({
      status: 403,
      message: expect.stringMatching(/cross-site post refused: Origin https:\/\/shop.example/),
    });
    const allowing = guardWith(['https://Shop.example/']);
    const site = post({ origin: 'https://shop.example', 'sec-fetch-site': 'cross-site' });
    expect(await check(allowing, site)).toBeUndefined();
    await expect(check(allowing, post({ origin: 'https://evil.example' }))).rejects.toMatchObject({
      status: 403,
    });
  });
});
