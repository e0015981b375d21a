/**
 * A tiny shop page and a fake `/collect` for the collector's browser e2e test.
 * It mimics the real server's consent handling: a consent event sets the
 * JS-readable `tsr_consent` cookie. `respond` scripts its answers (503, 429
 * with Retry-After...) so the tests can watch the collector retry.
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
  /** The `dropped` count the batch carried. */
  dropped: number;
  /** The status the fixture answered. */
  status: number;
  /** When it arrived (ms since epoch). */
  at: number;
}

/** How the fixture answers one batch. */
export interface FixtureAnswer {
  status: number;
  retryAfter?: string;
}

/** `data-retry-base` on the script tag when the page URL has `?retry=ms`: the tests' short backoff. */
function scriptTag(mode: string, retryBase: string | null): string {
  const retry = retryBase ? ` data-retry-base="${Number(retryBase)}"` : '';
  return `<script src="/tessera.js" data-consent-mode="${mode}"${retry} defer></script>`;
}

export function shopPage(mode: 'opt-in' | 'opt-out', retryBase: string | null = null): string {
  const tiles = ['sku-1', 'sku-2', 'sku-3']
    .map(
      (id) => `<article data-tessera-item="${id}" class="tile"><h3>${id}</h3>
        <button data-tessera-action="add_to_cart">Add ${id}</button></article>`,
    )
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Fixture shop</title>
${scriptTag(mode, retryBase)}
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

/** A page with the script and nothing to interact with: it records its `page` event only. */
function blankPage(retryBase: string | null): string {
  return `<!doctype html><meta charset="utf-8"><title>Blank</title>${scriptTag('opt-in', retryBase)}<p>blank`;
}

export interface FixtureServer {
  origin: string;
  received: Received[];
  /** Decides each answer; 202 unless a test says otherwise. */
  respond: (batch: Pick<Received, 'url' | 'events'>) => FixtureAnswer;
  close(): Promise<void>;
}

export const accept = (): FixtureAnswer => ({ status: 202 });

export async function startFixtureServer(bundlePath: string): Promise<FixtureServer> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fixture');
    if (req.method === 'POST' && url.pathname === '/collect') {
      let body = '';
      req.on('data', (d: Buffer) => {
        body += d.toString('utf8');
      });
      req.on('end', () => {
        const parsed = JSON.parse(body) as { events: Received['events']; dropped?: number };
        const batch = { url: req.url ?? '', events: parsed.events };
        const answer = fixture.respond(batch);
        received.push({
          ...batch,
          body,
          dropped: parsed.dropped ?? 0,
          status: answer.status,
          at: Date.now(),
        });
        if (answer.status >= 300) {
          const headers: Record<string, string> = answer.retryAfter
            ? { 'retry-after': answer.retryAfter }
            : {};
          res.writeHead(answer.status, headers).end();
          return;
        }
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
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(shopPage(mode, url.searchParams.get('retry')));
      return;
    }
    if (url.pathname === '/blank') {
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(blankPage(url.searchParams.get('retry')));
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
  const fixture: FixtureServer = {
    origin: `http://127.0.0.1:${port}`,
    received,
    respond: accept,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return fixture;
}
