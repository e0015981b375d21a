import { describe, expect, it } from 'vitest';
import {
  buildContext,
  CITY_HEADERS,
  COUNTRY_HEADERS,
  cookieValue,
  deviceClass,
  localHour,
  parseCookies,
  primaryLanguage,
  REGION_HEADERS,
  TZ_HEADERS,
} from './context.js';

const NOW = Date.UTC(2026, 10, 26, 12, 30);

function req(url: string, headers: Record<string, string> = {}) {
  return new Request(url, { headers });
}

describe('context', () => {
  it('reads cookies, tolerating quotes, spaces and junk', () => {
    expect(parseCookies('a=1; B="two" ;junk; c=3=3')).toEqual({ a: '1', b: 'two', c: '3=3' });
    expect(parseCookies(null)).toEqual({});
    expect(parseCookies('x'.repeat(9000))).toEqual({});
  });

  it('reads one cookie as the full parse reads it', () => {
    for (const header of [
      'a=1; B="two" ;junk; c=3=3',
      'b=first; B=second',
      ' tsr_id = v.1 ',
      null,
      'x'.repeat(9000),
    ]) {
      const all = parseCookies(header);
      for (const name of ['a', 'b', 'c', 'tsr_id', 'missing'])
        expect(cookieValue(header, name)).toBe(all[name]);
    }
  });

  it('classifies devices from client hints before the user agent', () => {
    expect(deviceClass('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148', null)).toBe(
      'mobile',
    );
    expect(deviceClass('Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X)', null)).toBe('tablet');
    expect(deviceClass('Mozilla/5.0 (Linux; Android 14; Pixel 8)', null)).toBe('tablet');
    expect(deviceClass('Mozilla/5.0 (X11; Linux x86_64) Chrome/120', '?1')).toBe('mobile');
    expect(deviceClass('Mozilla/5.0 (Windows NT 10.0; Win64; x64)', '?0')).toBe('desktop');
    expect(deviceClass('Googlebot/2.1 (+http://www.google.com/bot.html)', null)).toBe('bot');
  });

  it('takes geo from Cloudflare, Vercel, Fastly and a configured header', () => {
    expect(
      buildContext(req('https://s.test/', { 'cf-ipcountry': 'de', 'cf-region-code': 'BY' }), NOW).country,
    ).toBe('DE');
    const v = buildContext(
      req('https://s.test/', { 'x-vercel-ip-country': 'US', 'x-vercel-ip-country-region': 'CA' }),
      NOW,
    );
    expect([v.country, v.region]).toEqual(['US', 'CA']);
    expect(buildContext(req('https://s.test/', { 'fastly-geo-country': 'FR' }), NOW).country).toBe('FR');
    const custom = buildContext(req('https://s.test/', { 'x-my-geo': 'JP' }), NOW, {
      geoHeaders: { country: 'x-my-geo' },
    });
    expect(custom.country).toBe('JP');
    expect(buildContext(req('https://s.test/', { 'cf-ipcountry': 'XX' }), NOW).country).toBeUndefined();
  });

  it('reads geo the same when the host says which headers it has', () => {
    // A host with `anyOf` (the Node server) lets the context skip the geo lookups when none is there.
    const cases: Array<[Record<string, string>, { geoHeaders?: Record<string, string> }]> = [
      [{}, {}],
      [{ 'user-agent': 'Mozilla/5.0 (iPad)', 'accept-language': 'de-DE' }, {}],
      [{ 'cf-ipcountry': 'de', 'cf-region-code': 'BY', 'cf-ipcity': 'M%C3%BCnchen' }, {}],
      [{ 'x-timezone': 'Asia/Tokyo' }, {}],
      [{ 'fastly-geo-city': 'Paris' }, {}],
      [
        { 'x-my-geo': 'JP', 'x-my-tz': 'Asia/Tokyo' },
        { geoHeaders: { country: 'x-my-geo', timezone: 'x-my-tz' } },
      ],
      [{ 'x-my-geo': 'JP' }, { geoHeaders: {} }],
    ];
    for (const [headers, settings] of cases) {
      const plain = buildContext(req('https://s.test/p', headers), NOW, settings);
      const asked: string[] = [];
      const counted = {
        method: 'GET',
        url: 'https://s.test/p',
        headers: {
          get: (n: string) => {
            asked.push(n);
            return headers[n] ?? null;
          },
          anyOf: (names: ReadonlySet<string>) => Object.keys(headers).some((n) => names.has(n)),
        },
        text: async () => '',
      };
      expect(buildContext(counted, NOW, settings)).toEqual(plain);
      // The country headers are asked for only when some geo header is there, or the site named its own.
      const builtin = new Set([...COUNTRY_HEADERS, ...REGION_HEADERS, ...CITY_HEADERS, ...TZ_HEADERS]);
      const hasGeo = Object.keys(headers).some((n) => builtin.has(n));
      const countryAsked = asked.includes('cf-ipcountry') || asked.includes('x-my-geo');
      expect(countryAsked).toBe(hasGeo || !!settings.geoHeaders?.country);
    }
  });

  it('classifies a user agent the same with and without an empty client hint', () => {
    for (const ua of [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148',
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) Mobile',
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
      'Googlebot/2.1',
      '',
    ]) {
      expect(deviceClass(ua, null)).toBe(deviceClass(ua, ''));
    }
    expect(deviceClass(null, null)).toBe('desktop');
  });

  it('computes the local hour from the edge time zone', () => {
    expect(localHour(NOW, 'Europe/Berlin')).toBe(13);
    expect(localHour(NOW, 'America/Los_Angeles')).toBe(4);
    expect(localHour(NOW, 'Not/AZone')).toBe(12);
    expect(buildContext(req('https://s.test/', { 'cf-timezone': 'Asia/Tokyo' }), NOW).localHour).toBe(21);
  });

  it('reads language, referrer host, UTM, path, GPC and DNT', () => {
    const ctx = buildContext(
      req('https://shop.test/category/running?utm_source=News&utm_medium=email&x=1#top', {
        'accept-language': 'fr-CH;q=0.8, de-DE, en;q=0.5',
        referer: 'https://www.google.com/search?q=shoes',
        host: 'shop.test',
        'sec-gpc': '1',
        dnt: '1',
      }),
      NOW,
    );
    expect(ctx.path).toBe('/category/running');
    expect(ctx.language).toBe('de-de');
    expect(ctx.referrerHost).toBe('www.google.com');
    expect(ctx.utm).toEqual({ source: 'news', medium: 'email' });
    expect(ctx.gpc).toBe(true);
    expect(ctx.dnt).toBe(true);
    expect(primaryLanguage('*')).toBeUndefined();
  });

  it('treats a same-site referrer as no external referrer', () => {
    const ctx = buildContext(
      req('https://shop.test/', { referer: 'https://shop.test/product/1', host: 'shop.test' }),
      NOW,
    );
    expect(ctx.referrerHost).toBeUndefined();
    expect(ctx.referrer).toBe('https://shop.test/product/1');
  });

  it('reads the UTC hour as Date does, without a time zone', () => {
    for (const t of [0, -1, -0.5, 3_599_999, 3_600_000, -3_600_001, NOW, 8.64e15, -8.64e15]) {
      expect(localHour(t, undefined)).toBe(new Date(t).getUTCHours());
    }
    expect(localHour(8.64e15 + 1, undefined)).toBeNaN();
    expect(localHour(Number.NaN, undefined)).toBeNaN();
  });
});
