/**
 * Hostile input at the HTTP handler: >100,000 generated malformed bodies,
 * cookies, headers, URLs, methods, mixed event batches and requests from the
 * grammar (grammar.ts), straight into `engine.handle`. (Writing the reply to
 * a socket is fuzzed over the wire in server.fuzz.test.ts and
 * worker.fuzz.test.ts.) No throw may escape, no reply may be a 5xx, every JSON
 * rejection is a 4xx with a `[tessera]` message, and every valid event of a
 * mixed batch is kept (in the reply and in the event log).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/core/http/reply.js';
import { engineStores } from '../helpers/engine-ports.js';
import { type FuzzEngine, replyText, request, startFuzzEngine } from './engine.js';
import { hostileRequest } from './grammar.js';

let f: FuzzEngine;
let inputs = 0;
let outputs = 0;
/** What a header value may hold: the engine builds valid headers itself (the guard in reply.ts is the last resort). */
const PRINTABLE = /^[\t\x20-\x7e]*$/;

// Rate limits far out of reach: this suite is about what a single request can do.
beforeAll(async () => {
  f = await startFuzzEngine({ perVisitor: { rate: 1e9, burst: 1e9 }, perIp: { rate: 1e9, burst: 1e9 } });
}, 30_000);

afterAll(() => {
  console.log(
    `fuzz: ${inputs} inputs, ${outputs} outputs checked, 0 crashes, 0 5xx (in-process engine.handle)`,
  );
});

/** The promises every reply keeps. */
async function checkReply(reply: Reply): Promise<void> {
  inputs++;
  outputs++;
  if (reply.status >= 500)
    throw new Error(`5xx: ${reply.status} ${await replyText(reply)} ${f.errors.at(-1)}`);
  for (const [name, value] of Object.entries(reply.headers)) {
    outputs++;
    if (!PRINTABLE.test(value)) throw new Error(`header ${name}: ${JSON.stringify(value)}`);
  }
  for (const c of reply.cookies) {
    outputs++;
    if (!PRINTABLE.test(c)) throw new Error(`cookie ${JSON.stringify(c)}`);
  }
  if (reply.status < 400) return;
  const type = reply.headers['content-type'] ?? '';
  if (type.startsWith('text/html')) {
    // The shop's own "not found" page, not a rejection by Tessera.
    if (reply.status !== 404) throw new Error(`an HTML ${reply.status}`);
    return;
  }
  const text = await replyText(reply);
  outputs++;
  if (reply.headers['x-content-type-options'] !== 'nosniff')
    throw new Error(`a JSON ${reply.status} without nosniff`);
  const json = JSON.parse(text) as { error?: unknown };
  if (typeof json.error !== 'string' || !json.error.startsWith('[tessera]')) {
    throw new Error(`a ${reply.status} without a [tessera] message: ${text.slice(0, 200)}`);
  }
}

async function send(
  method: string,
  path: string,
  headers: Record<string, string>,
  body = '',
): Promise<Reply> {
  const reply = await f.engine.handle(request(method, path, headers, body, '10.0.0.1'));
  await checkReply(reply);
  return reply;
}

const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];
const oddString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.string({ unit: 'grapheme', maxLength: 32 }),
  fc.constantFrom(
    '\uD800',
    '\uDFFF',
    'a\uD83Db',
    '\u0000',
    '\u202E',
    '%',
    '%zz',
    '%00',
    '%C0%AE',
    '\r\n',
    '"',
  ),
  fc.nat({ max: 100_000 }).map((n) => 'x'.repeat(n)),
);
const oddNumber = fc.oneof(
  fc.double(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, 1e308, -1e308, 2 ** 53 + 1, 1e21),
  fc.integer(),
);
const hostileValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    oddString,
    oddNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 8 })), tie('value'), {
      maxKeys: 4,
    }),
  ),
})).value;

/** Raw text where JSON is expected: bytes, truncations, deep nesting, prototype keys. */
const hostileBody = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((b) => new TextDecoder().decode(b)),
  hostileValue.map((v) => JSON.stringify(v) ?? 'undefined'),
  hostileValue.map((v) => JSON.stringify({ events: v }) ?? ''),
  fc.array(hostileValue, { maxLength: 5 }).map((events) => JSON.stringify({ events })),
  fc.nat({ max: 20_000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
  fc.nat({ max: 5_000 }).map((n) => `{"events":[${'{"a":'.repeat(n)}1${'}'.repeat(n)}]}`),
  fc.constantFrom(
    '{"events":[],"__proto__":{"polluted":1}}',
    '{"__proto__":{"events":[]}}',
    '{"constructor":{"prototype":{"polluted":1}},"events":[]}',
    '{"events":{"length":1e9}}',
    '{"events":[{"id":"x","type":"view","ts":1e400,"item":"p1"}]}',
    '{"events":[{"id":"x","type":"consent","ts":0,"props":{"__proto__":{"personalization":true}}}]}',
  ),
  fc.nat({ max: 200_000 }).map((n) => `{"events":[{"id":"${'a'.repeat(n)}"}]}`),
);

describe('the handler under hostile input', () => {
  it('survives hostile /collect bodies', async () => {
    await fc.assert(
      fc.asyncProperty(hostileBody, fc.boolean(), async (body, withCookie) => {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (withCookie) headers.cookie = f.cookie;
        await send('POST', '/collect', headers, body);
      }),
      { numRuns: 30_000 },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, 120_000);

  it('keeps every valid event of a batch that mixes valid and invalid ones', async () => {
    let seq = 0;
    const now = Date.now();
    const validEvent = fc
      // Not views: a view repeating one of the last 30 s is dropped by design (repeat-views.ts).
      .record({
        type: fc.constantFrom('click', 'add_to_cart', 'purchase'),
        item: fc.constantFrom(...f.items),
      })
      .map((e) => ({ id: `ok-${seq++}`, type: e.type, ts: now, item: e.item }));
    const invalidEvent = fc.oneof(
      hostileValue,
      fc.record({
        id: fc.constant(''),
        type: fc.constant('view'),
        ts: fc.constant(now),
        item: fc.constant('p'),
      }),
      fc.record({ id: fc.constant('bad'), type: fc.string({ maxLength: 5 }), ts: fc.constant(now) }),
      fc.record({ id: fc.constant('bad'), type: fc.constant('view'), ts: oddNumber, item: fc.constant('p') }),
      fc.record({ id: fc.constant('bad'), type: fc.constant('view'), ts: fc.constant(now) }),
    );
    const batch = fc.array(
      fc.oneof(
        validEvent.map((e) => ({ valid: true, e })),
        invalidEvent.map((e) => ({ valid: false, e })),
      ),
      { minLength: 1, maxLength: 12 },
    );
    await fc.assert(
      fc.asyncProperty(batch, async (list) => {
        const before = await engineStores(f.engine).events.count();
        const valid = list.filter((x) => x.valid).length;
        const body = JSON.stringify({ events: list.map((x) => x.e) });
        fc.pre(body.length < 60_000); // a larger body is one 413, covered above
        const reply = await send('POST', '/collect', { cookie: f.cookie }, body);
        const res = JSON.parse(await replyText(reply)) as {
          accepted: number;
          stored: number;
          rejected: unknown[];
        };
        if (valid === 0) {
          // Nothing usable: one 400 listing every rejection, and nothing logged.
          expect(reply.status).toBe(400);
          expect(res.rejected).toHaveLength(list.length);
          expect(await engineStores(f.engine).events.count()).toBe(before);
          return;
        }
        expect(reply.status).toBe(202);
        expect(res.accepted).toBe(valid);
        expect(res.rejected).toHaveLength(list.length - valid);
        expect(res.stored).toBe(valid);
        expect(await engineStores(f.engine).events.count()).toBe(before + valid);
      }),
      { numRuns: 10_000 },
    );
  }, 120_000);

  it('survives hostile cookies on pages and /collect', async () => {
    const id = f.cookie.slice('tsr_id='.length);
    const tampered = fc.oneof(
      fc
        .nat({ max: id.length - 1 })
        .map((i) => `${id.slice(0, i)}${id[i] === 'A' ? 'B' : 'A'}${id.slice(i + 1)}`),
      fc.constantFrom(`${id}.`, id.split('.')[0] ?? '', `${id}${id}`, '', '.', '..', `"${id}"`),
      oddString,
    );
    const cookieHeader = fc.oneof(
      tampered.map((v) => `tsr_id=${v}`),
      fc.tuple(tampered, oddString).map(([v, p]) => `tsr_id=${v}; tsr_p=${p}; tsr_consent=${p}`),
      fc.nat({ max: 400 }).map((n) => Array.from({ length: n }, (_, i) => `c${i}=${i}`).join('; ')),
      fc
        .array(fc.tuple(oddString, oddString), { maxLength: 6 })
        .map((kv) => kv.map(([k, v]) => `${k}=${v}`).join(';')),
      fc.nat({ max: 20_000 }).map((n) => `tsr_id=${'z'.repeat(n)}`),
    );
    const target = fc.constantFrom('/', '/category/running', `/product/${f.items[0]}`, '/collect', '/nope');
    await fc.assert(
      fc.asyncProperty(cookieHeader, target, async (cookie, path) => {
        if (path === '/collect') {
          await send('POST', path, { cookie }, JSON.stringify({ events: [] }));
        } else await send('GET', path, { cookie });
      }),
      { numRuns: 20_000 },
    );
  }, 120_000);

  it('survives hostile headers (geo, user agent, language, referer, hints)', async () => {
    const names = [
      'user-agent',
      'accept-language',
      'referer',
      'cf-ipcountry',
      'cf-region-code',
      'cf-ipcity',
      'cf-timezone',
      'x-vercel-ip-country',
      'sec-ch-ua-mobile',
      'sec-gpc',
      'dnt',
      'content-length',
      'host',
      'if-none-match',
      'accept',
    ];
    const headers = fc.dictionary(fc.constantFrom(...names), oddString, { maxKeys: 8 });
    const repeated = fc
      .tuple(fc.constantFrom(...names), fc.array(oddString, { maxLength: 4 }))
      .map(([n, vs]) => ({ [n]: vs.join(', ') }));
    await fc.assert(
      fc.asyncProperty(fc.oneof(headers, repeated), fc.boolean(), async (h, withCookie) => {
        const all = withCookie ? { ...h, cookie: f.cookie } : h;
        await send('GET', '/', all);
      }),
      { numRuns: 20_000 },
    );
  }, 120_000);

  it('survives the request grammar: every route, smuggled path characters, reflected headers', async () => {
    await fc.assert(
      fc.asyncProperty(hostileRequest(f.items[0]!), async (r) => {
        await send(r.method, r.target, r.headers, r.body ?? '');
      }),
      { numRuns: 15_000 },
    );
  }, 120_000);

  it('survives hostile URLs, paths and methods', async () => {
    const segment = fc.oneof(
      fc.constantFrom(
        '..',
        '%2e%2e',
        '%2E%2E%2F',
        '..%2f',
        '%',
        '%zz',
        '%00',
        '%C0%AE',
        '%ff',
        '//',
        '\\',
        '%5c',
      ),
      fc.webSegment(),
      fc.string({ unit: 'grapheme', maxLength: 12 }).map((s) => encodeURIComponent(s)),
      fc.string({ maxLength: 12 }),
    );
    const path = fc.oneof(
      fc.array(segment, { maxLength: 6 }).map((s) => `/${s.join('/')}`),
      fc
        .tuple(
          fc.constantFrom('/product/', '/category/', '/collect', '/tessera.js', '/health', '/admin'),
          segment,
        )
        .map(([a, b]) => a + b),
      fc
        .tuple(fc.constantFrom('/', '/category/running'), fc.webQueryParameters())
        .map(([p, q]) => `${p}?${q}&utm_source=%3Cscript%3E`),
      fc.nat({ max: 20_000 }).map((n) => `/${'a'.repeat(n)}`),
    );
    const method = fc.oneof(
      fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE', 'CONNECT'),
      fc.string({ maxLength: 10 }),
    );
    await fc.assert(
      fc.asyncProperty(method, path, async (m, p) => {
        await send(m, p.replace(/[#\s]/g, ''), { cookie: f.cookie }, '{"events":[]}');
      }),
      { numRuns: 25_000 },
    );
  }, 120_000);
});
