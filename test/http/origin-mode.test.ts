/**
 * Origin mode: Tessera in front of an existing site. HTML pages are
 * personalized on the way out; assets, redirects and errors pass through.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/core/engine.js';
import { createMemoryStore } from '../../src/profiles/memory.js';
import { fetchOrigin } from '../../src/runtimes/fetch/origin.js';
import { createNodeRewriter } from '../../src/runtimes/node/html-rewriter.js';

const PAGE = `<!doctype html><html><body><h1>Origin</h1><section data-tessera-slot="hero"><p>origin hero</p></section><p>tail</p></body></html>`;

let origin: Server;
let base: string;
let engine: Engine;

beforeAll(async () => {
  origin = createServer((req, res) => {
    if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(PAGE);
    } else if (req.url === '/style.css') {
      res.writeHead(200, { 'content-type': 'text/css', 'cache-control': 'max-age=600' });
      res.end('body{color:red}');
    } else if (req.url === '/old') {
      res.writeHead(301, { location: '/' });
      res.end();
    } else {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<p>no such page</p>');
    }
  });
  await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
  const addr = origin.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const stores = createMemoryStore();
  engine = createEngine(
    {
      site: {
        name: 'origin test',
        segments: [{ id: 'mobile', rule: { context: 'device', eq: 'mobile' } }],
        slots: {
          hero: {
            kind: 'content',
            rules: [{ when: { segment: 'mobile' }, content: 'hero-mobile' }],
            default: 'hero-default',
          },
        },
        content: {
          'hero-mobile': '<p data-hero="mobile">Shop on the go</p>',
          'hero-default': '<p data-hero="default">Hello</p>',
        },
      },
      catalog: [],
      settings: { secret: 'origin-mode-test-secret-0123456789abcdef' },
    },
    {
      profiles: stores.profiles,
      events: stores.events,
      rewriter: createNodeRewriter,
      origin: fetchOrigin({ url: base }),
    },
  );
});

afterAll(async () => {
  await new Promise<void>((r) => origin.close(() => r()));
});

describe('origin mode', () => {
  it('personalizes the origin page by segment and keeps the rest of it', async () => {
    const mobile = await engine.fetch(
      new Request('https://edge.test/', { headers: { 'sec-ch-ua-mobile': '?1' } }),
    );
    const html = await mobile.text();
    expect(mobile.status).toBe(200);
    expect(html).toContain('data-hero="mobile"');
    expect(html).not.toContain('origin hero');
    expect(html).toContain('<h1>Origin</h1>');
    expect(html).toContain('<p>tail</p>');
    const desktop = await (await engine.fetch(new Request('https://edge.test/'))).text();
    expect(desktop).toContain('data-hero="default"');
  });

  it('passes assets, redirects and errors through as the origin sent them', async () => {
    const css = await engine.fetch(new Request('https://edge.test/style.css'));
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css');
    expect(css.headers.get('cache-control')).toBe('max-age=600');
    expect(await css.text()).toBe('body{color:red}');
    const moved = await engine.fetch(new Request('https://edge.test/old'));
    expect(moved.status).toBe(301);
    expect(moved.headers.get('location')).toBe('/');
    const missing = await engine.fetch(new Request('https://edge.test/nope'));
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('no such page');
  });
});
