import { describe, expect, it } from 'vitest';
import type { Reply } from '../http/reply.js';
import { cacheHeaders, privateWhenSettingCookies } from './headers.js';

describe('cacheHeaders', () => {
  it('keeps pages made for one visitor out of shared caches', () => {
    const h = cacheHeaders({ perVisitor: true, varyOn: [] });
    expect(h['cache-control']).toBe('private, no-cache');
    expect(h.vary).toBe('Cookie, Sec-GPC, DNT');
  });

  it('lets shared caches keep pages made from the request alone, varying on the headers read', () => {
    const h = cacheHeaders({ perVisitor: false, varyOn: ['User-Agent', 'Sec-CH-UA-Mobile'] });
    expect(h['cache-control']).toBe('public, max-age=0, s-maxage=60');
    expect(h.vary).toBe('User-Agent, Sec-CH-UA-Mobile, Cookie, Sec-GPC, DNT');
  });

  it('always varies on Cookie, once, whatever the caller passes', () => {
    const h = cacheHeaders({
      perVisitor: false,
      varyOn: ['cookie', 'Accept-Language', 'accept-language', ' ', 'CF-IPCountry'],
    });
    expect(h.vary).toBe('cookie, Accept-Language, CF-IPCountry, Sec-GPC, DNT');
  });

  it('takes the shared max age from the caller', () => {
    const h = cacheHeaders({ perVisitor: false, varyOn: [], sharedMaxAge: 300 });
    expect(h['cache-control']).toBe('public, max-age=0, s-maxage=300');
  });
});

describe('privateWhenSettingCookies', () => {
  const reply = (headers: Record<string, string>, cookies: string[]): Reply => ({
    status: 200,
    headers,
    cookies,
    body: 'x',
  });

  it('makes a shareable reply that sets a cookie private, without touching the original headers', () => {
    const shared = { 'Cache-Control': 'public, max-age=300', 'content-type': 'text/css' };
    const out = privateWhenSettingCookies(reply(shared, ['tsr_id=a; Path=/']));
    expect(out.headers).toEqual({ 'cache-control': 'private, no-cache', 'content-type': 'text/css' });
    expect(shared['Cache-Control']).toBe('public, max-age=300');
    expect(privateWhenSettingCookies(reply({}, ['a=b'])).headers['cache-control']).toBe('private, no-cache');
  });

  it('keeps no-store and private as they are, and leaves cookie-less replies alone', () => {
    expect(privateWhenSettingCookies(reply({ 'cache-control': 'no-store' }, ['a=b'])).headers).toEqual({
      'cache-control': 'no-store',
    });
    expect(
      privateWhenSettingCookies(reply({ 'cache-control': 'private, max-age=5' }, ['a=b'])).headers[
        'cache-control'
      ],
    ).toBe('private, max-age=5');
    const pub = reply({ 'cache-control': 'public, s-maxage=60' }, []);
    expect(privateWhenSettingCookies(pub)).toBe(pub);
  });
});
