/**
 * A grammar of hostile requests for the over-the-wire fuzz suites: every
 * route (pages, /collect, /health, /privacy/me, /admin…, assets) with
 * percent-encoded control and non-ASCII characters, `?` and `#` smuggled into
 * the path, double encoding and dot segments, and every header that ends up
 * reflected (cookies, referer, geo, language, origin, authorization).
 * fast-check draws from it and shrinks a failure to its smallest request.
 */
import fc from 'fast-check';

export interface HostileRequest {
  method: string;
  /** Path and query as sent on the request line (percent-encoded where fetch would encode). */
  target: string;
  headers: Record<string, string>;
  body?: string;
}

const hex = (n: number) => `%${n.toString(16).toUpperCase().padStart(2, '0')}`;

/** Pieces that once reached a header, a second decoder or a URL parser downstream. */
const smuggled = fc.oneof(
  fc.oneof(fc.integer({ min: 0, max: 0x1f }), fc.constant(0x7f)).map(hex),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 4 }).map((s) => encodeURIComponent(s)),
  fc.constantFrom(
    '%3F',
    '%23',
    '%3F%0D%0AX-Evil:%201',
    '%0D%0ASet-Cookie:%20x=1',
    '%25',
    '%2570',
    '%252F',
    '%2F..%2Fadmin',
    '%2e%2e',
    '..',
    '%5C',
    '%00',
    '%C0%AE',
    '%E2%80%A8',
    '%C2%85',
    '%ff',
    '%',
    '%zz',
    '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
    ';',
    '|',
  ),
  fc.webSegment(),
);

export function routes(item: string): string[] {
  return [
    '/',
    `/product/${item}`,
    '/product/',
    '/category/running',
    '/collect',
    '/health',
    '/privacy/me',
    '/admin',
    '/admin/api/experiments',
    '/admin/api/profiles/x',
    '/admin/api/segments',
    '/tessera.js',
    '/shop.css',
    '/_tessera/profile',
    '/nope',
  ];
}

export function hostilePath(item: string): fc.Arbitrary<string> {
  const base = fc.constantFrom(...routes(item));
  const tail = fc.array(smuggled, { maxLength: 4 }).map((parts) => parts.join(''));
  const query = fc.option(
    fc
      .tuple(fc.constantFrom('utm_source', 'utm_campaign', 'q', 'visitor', 'token'), smuggled)
      .map(([k, v]) => `?${k}=${v}`),
    { nil: '' },
  );
  return fc
    .tuple(base, fc.constantFrom('', '/'), tail, query)
    .map(([b, slash, t, q]) => `${b}${t ? slash : ''}${t}${q}`);
}

/** Header values any HTTP client can send: printable ASCII and Latin-1, with markup, escapes and odd lengths. */
const headerValue = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 }),
  fc.string({ unit: fc.integer({ min: 0xa0, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 12 }),
  fc.constantFrom(
    '<script>alert(1)</script>',
    '"><img src=x onerror=alert(1)>',
    '%0D%0AX-Evil: 1',
    'javascript:alert(1)',
    'https://evil.test/%0A',
    'XX',
    '?1',
    '1',
    'Bearer x',
    'Bearer ',
    'null',
    'Europe/Ber%0Alin',
  ),
  fc.nat({ max: 9000 }).map((n) => 'x'.repeat(n)),
);

const REFLECTED = [
  'referer',
  'user-agent',
  'accept-language',
  'origin',
  'sec-fetch-site',
  'cf-ipcountry',
  'cf-ipcity',
  'cf-region-code',
  'cf-timezone',
  'x-vercel-ip-country',
  'x-forwarded-for',
  'sec-ch-ua-mobile',
  'sec-gpc',
  'dnt',
  'authorization',
  'content-type',
  'accept',
];

const cookie = fc.oneof(
  fc
    .tuple(fc.constantFrom('tsr_id', 'tsr_p', 'tsr_consent', 'tsr_admin'), headerValue)
    .map(([k, v]) => `${k}=${v}`),
  fc.constantFrom('tsr_consent=p1.a1', 'tsr_consent=p0.a0', 'tsr_consent="p1.a1"', 'tsr_id=.', ''),
);

export function hostileHeaders(): fc.Arbitrary<Record<string, string>> {
  return fc
    .tuple(fc.dictionary(fc.constantFrom(...REFLECTED), headerValue, { maxKeys: 5 }), fc.option(cookie))
    .map(([h, c]) => (c === null ? h : { ...h, cookie: c }));
}

const body = fc.oneof(
  fc.constant('{"events":[]}'),
  fc.constantFrom('{"events":[{"id":"a","type":"view","ts":1,"item":"%0A"}]}', '{', '[]', 'null'),
  fc.string({ maxLength: 60 }),
  fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify({ events: [v] })),
);

export function hostileRequest(item: string): fc.Arbitrary<HostileRequest> {
  return fc
    .record({
      method: fc.constantFrom('GET', 'GET', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'),
      target: hostilePath(item),
      headers: hostileHeaders(),
      body,
    })
    .map((r) => (r.method === 'GET' || r.method === 'HEAD' ? { ...r, body: undefined } : r))
    .map(({ body: b, ...r }) => (b === undefined ? r : { ...r, body: b }));
}

/** Raw request-line and Host bytes no fetch client would send: the server's parser or Tessera must answer them. */
export function rawRequestLine(item: string): fc.Arbitrary<{ target: string; host: string | null }> {
  const rawChar = fc.oneof(
    fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)),
    fc.integer({ min: 0x7f, max: 0xff }).map((c) => String.fromCharCode(c)),
    fc.constantFrom('?', '#', ' ', '"', '<', '\\', '|', '{', '`'),
  );
  const target = fc.oneof(
    fc
      .tuple(fc.constantFrom(...routes(item)), fc.array(rawChar, { maxLength: 3 }))
      .map(([r, cs]) => r + cs.join('')),
    fc.constantFrom(
      '*',
      'http://evil.test/admin',
      'evil.test/admin',
      '//evil.test/admin',
      '/a/../admin',
      '/\\admin',
    ),
    hostilePath(item),
  );
  const host = fc.oneof(
    fc.constant(null),
    fc.constantFrom('HOST/admin', 'HOST/admin/api/experiments?', 'evil.test#', 'a@evil.test', '[::1]:1', ''),
    fc.tuple(fc.constant('HOST'), fc.array(rawChar, { maxLength: 2 })).map(([h, cs]) => h + cs.join('')),
  );
  return fc.record({ target, host });
}
