/**
 * No reflection of input into HTML without escaping: hostile paths, query
 * strings (UTM values) and headers (referer, user agent, geo) never appear
 * unescaped in a page (the shop's 404, category and product pages, home) nor
 * in a response header (the variant header included).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type FuzzEngine, replyText, request, startFuzzEngine } from './engine.js';

const PAYLOADS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'><svg onload=alert(1)>",
  'javascript:alert(1)',
];
/** What must never be in the output: the markup that would run. */
const DANGER = [/<script>alert/i, /<img src=x onerror/i, /<svg onload/i, /href="javascript:/i];

let f: FuzzEngine;
beforeAll(async () => {
  f = await startFuzzEngine();
});

async function page(path: string, headers: Record<string, string> = {}) {
  const reply = await f.engine.handle(request('GET', path, { cookie: f.cookie, ...headers }));
  return { reply, html: await replyText(reply) };
}

function expectClean(html: string, headers: Record<string, string>) {
  for (const d of DANGER) expect(html).not.toMatch(d);
  for (const v of Object.values(headers)) {
    for (const d of DANGER) expect(v).not.toMatch(d);
    expect(v).not.toMatch(/[\r\n<>]/);
  }
}

describe('hostile input is never reflected unescaped', () => {
  for (const p of PAYLOADS) {
    const enc = encodeURIComponent(p);
    it(`in paths: ${p}`, async () => {
      for (const path of [
        `/${enc}`,
        `/category/${enc}`,
        `/product/${enc}`,
        `/category/running/${enc}`,
        `/${p}`,
      ]) {
        const { reply, html } = await page(path);
        expect(reply.status).toBeLessThan(500);
        expectClean(html, reply.headers);
      }
    });

    it(`in query strings and UTM values: ${p}`, async () => {
      for (const path of ['/', '/category/running', `/product/${f.items[0]}`]) {
        const q = `?utm_source=${enc}&utm_campaign=${enc}&utm_medium=${enc}&q=${enc}&${enc}=1`;
        const { reply, html } = await page(path + q);
        expect(reply.status).toBe(200);
        expectClean(html, reply.headers);
      }
    });

    it(`in headers: ${p}`, async () => {
      const headers = {
        referer: `https://evil.test/${p}`,
        'user-agent': p,
        'accept-language': p,
        'cf-ipcountry': p,
        'cf-ipcity': p,
        'cf-region-code': p,
        'cf-timezone': p,
      };
      for (const path of ['/', '/category/running', '/nope']) {
        const { reply, html } = await page(path, headers);
        expect(reply.status).toBeLessThan(500);
        expectClean(html, reply.headers);
      }
    });
  }

  it('shows the escaped path on the 404 page (the check above is not vacuous)', async () => {
    const { reply, html } = await page(`/${encodeURIComponent('<b>x</b>')}`);
    expect(reply.status).toBe(404);
    // `%2F` stays encoded in the decoded path (path.ts), so the page shows it as `%252F`.
    expect(html).toMatch(/&lt;b&gt;x&lt;\/b&gt;|%3Cb%3Ex%3C(%2F|%252F)b%3E/);
  });
});
