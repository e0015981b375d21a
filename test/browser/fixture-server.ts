/**
 * A tiny shop page and a fake `/collect` for the collector's browser e2e test.
 * It mimics the real server's consent handling: a consent event sets the
 * JS-readable `tsr_consent` cookie.
 * @module
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  /** Request URL; the e2e test tags beacon requests with `?via=beacon`. */
  url: string;
  /** The raw body, to prove a typed value never left the browser. */
  body: string;
  events: { id: string; type: string; ts: number; item?: string; props?: Record<string, unknown> }[];
}

export function shopPage(mode: 'opt-in' | 'opt-out'): string {
  const tiles = ['sku-1', 'sku-2', 'sku-3']
    .map(
      (id) => `<article data-tessera-item="${id}" class="tile"><h3>${id}</h3>
        <button data-tessera-action="add_to_cart">Add ${id}</button></article>`,
    )
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Fixture shop</title>
<script src="/tessera.js" data-consent-mode="${mode}" defer></script>
<style>.tile{height:120px} .filler{height:3000px}</style></head><body>
<div data-tessera-consent-banner id="banner">We personalize.
  <button data-tessera-consent="accept" id="accept">Accept</button>
  <button data-tessera-consent="decline" id="decline">Decline</button></div>
<main data-tessera-item="sku-main" data-tessera-main><h1>Main product</h1></main>
<section data-tessera-slot="recs">${tiles}</section>
<form id="newsletter" onsubmit="return false"><input type="email" name="email" id="email">
  <select name="size"><option>S</option><option>M</option></select></form>
<form data-tessera-search action="/other"><input type="search" name="q" id="q"></form>
<div class="filler"></div><footer>end</footer></body></html>`;
}

export async function startFixtureServer(bundlePath: string): Promise<{
  origin: string;
  received: Received[];
  close(): Promise<void>;
}> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fixture');
    if (req.method === 'POST' && url.pathname === '/collect') {
      let body = '';
      req.on('data', (d: Buffer) => {
        body += d.toString('utf8');
      });
      req.on('end', () => {
        const parsed = JSON.parse(body) as { events: Received['events'] };
        received.push({ url: req.url ?? '', body, events: parsed.events });
        const consent = parsed.events.find((e) => e.type === 'consent');
        if (consent) {
          const p = consent.props?.personalization ? 1 : 0;
          const a = consent.props?.analytics ? 1 : 0;
          res.setHeader('set-cookie', `tsr_consent=p${p}.a${a}; Path=/; SameSite=Lax`);
        }
        res.writeHead(202).end();
      });
      return;
    }
    if (url.pathname === '/tessera.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(bundlePath));
      return;
    }
    if (url.pathname === '/') {
      const mode = url.searchParams.get('mode') === 'opt-out' ? 'opt-out' : 'opt-in';
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(shopPage(mode));
      return;
    }
    if (url.pathname === '/other') {
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!doctype html><title>Other</title><p>elsewhere');
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
