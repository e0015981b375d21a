import { describe, expect, it } from 'vitest';
import type { DecisionContext } from '../types.js';
import { fromBase64Url, toBase64Url } from './base64url.js';
import { formatConsentCookie, parseConsentCookie, resolveConsent } from './consent.js';
import { createKeyRing } from './keys.js';
import { seal, unseal } from './sealed.js';
import { newVisitorId, seededVisitorIds, signId, verifySignedId, verifySignedIdNow } from './signed-id.js';

const SECRET = 'a-test-secret-that-is-long-enough-000';
const ring = createKeyRing(SECRET);

function ctx(cookies: Record<string, string>, gpc = false): DecisionContext {
  return {
    method: 'GET',
    path: '/',
    cookies,
    device: 'desktop',
    localHour: 0,
    utm: {},
    gpc,
    dnt: false,
    now: 0,
  };
}

describe('identity', () => {
  it('round-trips base64url for every length', () => {
    for (let n = 0; n < 40; n++) {
      const b = new Uint8Array(n).map((_, i) => (i * 37 + n) & 255);
      expect(fromBase64Url(toBase64Url(b))).toEqual(b);
    }
    expect(fromBase64Url('a+b/')).toBeUndefined();
    // RFC 4648 §5 alphabet, no padding.
    expect(toBase64Url(new Uint8Array([0xfb, 0xff]))).toBe('-_8');
    expect(toBase64Url(new TextEncoder().encode('foobar'))).toBe('Zm9vYmFy');
    expect(toBase64Url(new TextEncoder().encode('fooba'))).toBe('Zm9vYmE');
  });

  it('verifies its own signed ids and rejects tampered or foreign ones', async () => {
    const id = newVisitorId();
    const signed = await signId(ring, id);
    expect(await verifySignedId(ring, signed)).toBe(id);
    const flipped = signed.slice(0, 5) + (signed[5] === 'A' ? 'B' : 'A') + signed.slice(6);
    expect(await verifySignedId(ring, flipped)).toBeUndefined();
    const foreign = await signId(createKeyRing('another-secret-that-is-long-enough-1'), id);
    expect(await verifySignedId(ring, foreign)).toBeUndefined();
    expect(await verifySignedId(ring, 'garbage')).toBeUndefined();
    expect(await verifySignedId(ring, undefined)).toBeUndefined();
  });

  it('answers without a promise when no HMAC is needed: malformed, or verified before', async () => {
    const id = newVisitorId();
    const signed = await signId(ring, id);
    expect(verifySignedIdNow(ring, 'garbage.forged')).toBeUndefined();
    const first = verifySignedIdNow(ring, signed);
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toBe(id);
    expect(verifySignedIdNow(ring, signed)).toBe(id);
    const forged = `${newVisitorId()}.${newVisitorId()}`;
    expect(await verifySignedIdNow(ring, forged)).toBeUndefined();
  });

  it('mints the same ids in the same order from the same seed, and other ids from another', async () => {
    const take = (seed: number) => {
      const mint = seededVisitorIds(seed);
      return Array.from({ length: 50 }, () => mint());
    };
    const a = take(1);
    expect(take(1)).toEqual(a);
    expect(new Set(a).size).toBe(50);
    expect(take(2).filter((id) => a.includes(id))).toEqual([]);
    // Shaped like a random id: the signed cookie verifies.
    expect(await verifySignedId(ring, await signId(ring, a[0]!))).toBe(a[0]);
  });

  it('seals with AES-GCM, binds the purpose, and rejects forgeries', async () => {
    const sealed = await seal(ring, '{"a":1}', 'digest:v1');
    expect(sealed.startsWith('v1.k1.')).toBe(true);
    expect(sealed).not.toContain('"a"');
    expect(await unseal(ring, sealed, 'digest:v1')).toBe('{"a":1}');
    expect(await unseal(ring, sealed, 'digest:v2')).toBeUndefined();
    const bad = `${sealed.slice(0, -2)}${sealed.endsWith('AA') ? 'BB' : 'AA'}`;
    expect(await unseal(ring, bad, 'digest:v1')).toBeUndefined();
    expect(await unseal(ring, 'v1.zz.abcd', 'digest:v1')).toBeUndefined();
  });

  it('keeps old ciphertexts readable after a key rotation', async () => {
    const old = await seal(ring, 'hello', 'x');
    const rotated = createKeyRing({
      secrets: { k1: SECRET, k2: 'the-second-secret-that-is-long-enough' },
      current: 'k2',
    });
    expect(await unseal(rotated, old, 'x')).toBe('hello');
    const fresh = await seal(rotated, 'hi', 'x');
    expect(fresh.startsWith('v1.k2.')).toBe(true);
    expect(await unseal(ring, fresh, 'x')).toBeUndefined();
  });

  it('reads "learn on my device only" as granting the server nothing, whatever p and a say', () => {
    expect(formatConsentCookie({ personalization: true, analytics: true, device: true })).toBe('p0.a0.d1');
    expect(parseConsentCookie('p0.a0.d1')).toEqual({
      personalization: false,
      analytics: false,
      device: true,
    });
    expect(parseConsentCookie('p1.a1.d1')).toEqual({
      personalization: false,
      analytics: false,
      device: true,
    });
    expect(parseConsentCookie('p1.a1.d0')).toBeUndefined();
    expect(resolveConsent(ctx({ c: 'p1.a1.d1' }), 'opt-out', 'c')).toMatchObject({
      personalization: false,
      analytics: false,
      source: 'cookie',
    });
  });

  it('refuses short secrets', () => {
    expect(() => createKeyRing('short')).toThrow(/at least 32/);
  });

  it('resolves consent from GPC/DNT, then the cookie, then the mode', () => {
    expect(formatConsentCookie({ personalization: true, analytics: false })).toBe('p1.a0');
    expect(parseConsentCookie('p0.a1')).toEqual({ personalization: false, analytics: true });
    expect(parseConsentCookie('yes')).toBeUndefined();
    expect(resolveConsent(ctx({}), 'opt-in', 'c').personalization).toBe(false);
    expect(resolveConsent(ctx({}), 'opt-out', 'c').personalization).toBe(true);
    expect(resolveConsent(ctx({}, true), 'opt-out', 'c')).toMatchObject({
      personalization: false,
      source: 'gpc',
    });
    expect(resolveConsent(ctx({ c: 'p1.a1' }), 'opt-in', 'c')).toMatchObject({
      personalization: true,
      source: 'cookie',
    });
  });

  it('lets GPC and DNT win over a consent cookie that grants personalization', () => {
    expect(resolveConsent(ctx({ c: 'p1.a1' }, true), 'opt-in', 'c')).toEqual({
      necessary: true,
      personalization: false,
      analytics: false,
      source: 'gpc',
    });
    const dnt = { ...ctx({ c: 'p1.a1' }), dnt: true };
    expect(resolveConsent(dnt, 'opt-out', 'c')).toMatchObject({ personalization: false, source: 'gpc' });
  });
});
