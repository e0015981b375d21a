import { describe, expect, it } from 'vitest';
import { createNodeRewriter } from '../../runtimes/node/html-rewriter.js';
import { rewriteStream } from './stream.js';

const html =
  '<body><div data-tessera-slot="hero">default hero</div><div data-tessera-slot="recs">popular</div></body>';

function htmlResponse(body: string, type = 'text/html; charset=utf-8'): Response {
  return new Response(body, { headers: { 'content-type': type } });
}

describe('rewriteStream', () => {
  it('fills the slots it has content for and keeps the origin content of the others', async () => {
    const out = rewriteStream(htmlResponse(html), { recs: '<ul><li>for you</li></ul>' }, createNodeRewriter);
    expect(await out.text()).toBe(
      '<body><div data-tessera-slot="hero">default hero</div>' +
        '<div data-tessera-slot="recs"><ul><li>for you</li></ul></div></body>',
    );
    expect(out.headers.get('content-type')).toBe('text/html; charset=utf-8');
  });

  it('does not treat inherited object keys as fills', async () => {
    const page = '<p data-tessera-slot="constructor">kept</p>';
    expect(await rewriteStream(htmlResponse(page), { hero: 'x' }, createNodeRewriter).text()).toBe(page);
  });

  it('passes non-HTML responses through untouched', async () => {
    const json = new Response('{"a":"<div data-tessera-slot=\\"hero\\"></div>"}', {
      headers: { 'content-type': 'application/json' },
    });
    expect(rewriteStream(json, { hero: 'x' }, createNodeRewriter)).toBe(json);
  });

  it('passes responses through when there is nothing to fill', () => {
    const res = htmlResponse(html);
    expect(rewriteStream(res, {}, createNodeRewriter)).toBe(res);
  });

  it('rewrites XHTML and responses without a content-type', async () => {
    const xhtml = rewriteStream(
      htmlResponse(html, 'application/xhtml+xml'),
      { hero: 'H' },
      createNodeRewriter,
    );
    expect(await xhtml.text()).toContain('<div data-tessera-slot="hero">H</div>');
    const untyped = new Response(html);
    untyped.headers.delete('content-type');
    const out = rewriteStream(untyped, { hero: 'H' }, createNodeRewriter);
    expect(await out.text()).toContain('<div data-tessera-slot="hero">H</div>');
  });
});
