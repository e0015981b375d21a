import { describe, expect, it } from 'vitest';
import { consentFromCookies, mayCollect, parseConsentCookie, readCookie, resolveConsent } from './consent.js';

describe('readCookie', () => {
  it('finds a cookie among others and decodes it', () => {
    expect(readCookie('a=1; tsr_consent=p1.a0; b=2', 'tsr_consent')).toBe('p1.a0');
    expect(readCookie('x=hello%20world', 'x')).toBe('hello world');
  });

  it('does not match a cookie whose name only ends with the wanted name', () => {
    expect(readCookie('old_tsr_consent=p1.a1', 'tsr_consent')).toBeUndefined();
  });

  it('returns undefined for a missing or undecodable cookie', () => {
    expect(readCookie('', 'tsr_consent')).toBeUndefined();
    expect(readCookie('tsr_consent=%E0%A4%A', 'tsr_consent')).toBeUndefined();
  });
});

describe('parseConsentCookie', () => {
  it('reads both categories', () => {
    expect(parseConsentCookie('p1.a0')).toEqual({ personalization: true, analytics: false });
    expect(parseConsentCookie('p0.a1')).toEqual({ personalization: false, analytics: true });
  });

  it('treats a malformed value as no choice rather than a grant', () => {
    for (const v of ['p1', 'p2.a1', 'a1.p1', 'p1.a1.x', 'yes', ''])
      expect(parseConsentCookie(v)).toBeUndefined();
    expect(parseConsentCookie(undefined)).toBeUndefined();
  });
});

describe('consentFromCookies', () => {
  it('finds the choice among other cookies', () => {
    expect(consentFromCookies('a=1; tsr_consent=p1.a0; b=2')).toEqual({
      personalization: true,
      analytics: false,
    });
    expect(consentFromCookies('tsr_consent=p0.a1')).toEqual({ personalization: false, analytics: true });
  });

  it('reads "learn on my device only" (p0.a0.d1) as a choice that grants nothing', () => {
    expect(consentFromCookies('a=1; tsr_consent=p0.a0.d1; b=2')).toEqual({
      personalization: false,
      analytics: false,
    });
  });

  it('ignores look-alike names and malformed values', () => {
    for (const c of [
      'old_tsr_consent=p1.a1',
      'tsr_consent=p1.a1x',
      'tsr_consent=p2.a1',
      'tsr_consent=',
      '',
    ]) {
      expect(consentFromCookies(c)).toBeUndefined();
    }
  });
});

describe('resolveConsent', () => {
  it('grants nothing before a choice in opt-in mode', () => {
    expect(resolveConsent('opt-in', undefined, false)).toEqual({
      necessary: true,
      personalization: false,
      analytics: false,
      chosen: false,
    });
  });

  it('grants everything before a choice in opt-out mode', () => {
    const s = resolveConsent('opt-out', undefined, false);
    expect([s.personalization, s.analytics, s.chosen]).toEqual([true, true, false]);
  });

  it('declines everything in opt-out mode when GPC or DNT is on', () => {
    const s = resolveConsent('opt-out', undefined, true);
    expect([s.personalization, s.analytics]).toEqual([false, false]);
  });

  it('lets an explicit choice win over the mode, and GPC win over the choice', () => {
    const s = resolveConsent('opt-in', { personalization: true, analytics: false }, false);
    expect([s.personalization, s.analytics, s.chosen]).toEqual([true, false, true]);
    const gpc = resolveConsent('opt-in', { personalization: true, analytics: true }, true);
    expect([gpc.personalization, gpc.analytics, gpc.chosen]).toEqual([false, false, true]);
    const declined = resolveConsent('opt-out', { personalization: false, analytics: false }, false);
    expect([declined.personalization, declined.analytics]).toEqual([false, false]);
  });
});

describe('mayCollect', () => {
  const none = { personalization: false, analytics: false };
  const analyticsOnly = { personalization: false, analytics: true };
  const personalOnly = { personalization: true, analytics: false };

  it('always lets the consent event out, and nothing else without consent', () => {
    expect(mayCollect('consent', none)).toBe(true);
    for (const t of ['page', 'view', 'click', 'scroll', 'form', 'identify', 'feedback'] as const) {
      expect(mayCollect(t, none)).toBe(false);
    }
  });

  it('sends measurement-only events with analytics consent alone', () => {
    expect(mayCollect('scroll', analyticsOnly)).toBe(true);
    expect(mayCollect('scroll', personalOnly)).toBe(false);
    expect(mayCollect('form', personalOnly)).toBe(false);
  });

  it('sends identify and feedback only with personalization consent', () => {
    expect(mayCollect('identify', analyticsOnly)).toBe(false);
    expect(mayCollect('feedback', personalOnly)).toBe(true);
  });

  it('sends behavioural events with either category', () => {
    expect(mayCollect('click', analyticsOnly)).toBe(true);
    expect(mayCollect('view', personalOnly)).toBe(true);
  });
});
