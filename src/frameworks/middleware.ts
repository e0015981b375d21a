/**
 * Tessera as middleware inside a site's own server (Hono, Express, Fastify,
 * Next.js): the framework renders its pages as it always did, and Tessera
 * personalizes them on the way out — the `data-tessera-slot` elements filled
 * exactly as origin mode fills an origin's pages, because it is origin mode:
 * the page the framework just rendered is this request's origin page. It
 * also answers its own paths (`/collect`, `/tessera.js`, `/privacy/me`)
 * before the framework sees them.
 *
 * Each framework's adapter only moves requests and responses between the
 * framework's types and these calls. Web-standard, so the same code runs in
 * Node, workerd and edge runtimes.
 * @module
 */
import type { RequestLike } from '../core/context.js';
import type { Engine } from '../core/engine.js';
import type { Origin, OriginPage } from '../core/http/engine-state.js';
import { pathOf } from '../core/http/path.js';
import { type Reply, toResponse } from '../core/http/reply.js';
import { privacyRoute } from '../core/privacy/index.js';
import { createFetchHandler, type FetchHandlerOptions } from '../runtimes/fetch/handler.js';
import { isPersonalizable, mergePageHeaders } from './page-headers.js';

export interface TesseraMiddlewareOptions extends FetchHandlerOptions {
  /** The browser collector's source, served at `/tessera.js` (the Node adapters read the built one). */
  collector?: string;
  /**
   * Paths Tessera answers itself, exact or (ending in `/*`) by prefix.
   * Default: `/collect`, `/tessera.js`, `/privacy/me/*` and the assets given.
   */
  paths?: string[];
  /**
   * How long a variant's personalized shell is reused (ms). Default 0: every
   * page is built from the framework's fresh render of this request, never
   * shared with another visitor (the framework may render per user).
   */
  shellTtlMs?: number;
}

export interface TesseraMiddleware {
  /** The engine, built on first use. */
  engine(): Promise<Engine>;
  /** Whether Tessera answers this request itself. */
  owns(req: RequestLike): boolean;
  /** The answer to a request Tessera owns. */
  serve(req: RequestLike): Promise<Reply>;
  /** The framework's HTML page, personalized, with the framework's own headers and cookies kept. */
  personalize(
    req: RequestLike,
    html: string,
    headers: Iterable<[string, string]>,
    cookies: readonly string[],
  ): Promise<Reply>;
  /**
   * The whole middleware for fetch-style frameworks: `render` is "what the
   * framework answers" (Hono's `next()`, a Next.js page fetched from the app).
   */
  fetch(request: Request, render: (request: Request) => Promise<Response>): Promise<Response>;
}

export const DEFAULT_PATHS = ['/collect', '/tessera.js', '/privacy/me', '/privacy/me/*'];

export function createTesseraMiddleware(o: TesseraMiddlewareOptions): TesseraMiddleware {
  // The page each request is personalizing, found by its request object: the engine hands that
  // same object to the origin, so a page never reaches another request.
  const pages = new WeakMap<object, OriginPage>();
  const origin: Origin = { render: (_path, req) => pages.get(req) };
  const assets = { ...o.ports?.assets };
  if (o.collector !== undefined)
    assets['/tessera.js'] = { type: 'text/javascript; charset=utf-8', body: o.collector };
  const handler = createFetchHandler({
    ...o,
    shellTtlMs: o.shellTtlMs ?? 0,
    // `/privacy/me` (access and erasure) is one of the paths claimed below: its route comes with them.
    ports: { ...o.ports, origin, assets, routes: [...(o.ports?.routes ?? []), privacyRoute()] },
  });
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const p of [...(o.paths ?? DEFAULT_PATHS), ...Object.keys(assets)]) {
    if (p.endsWith('/*')) prefixes.push(p.slice(0, -1));
    else exact.add(p);
  }

  function owns(req: RequestLike): boolean {
    const path = pathOf(req.url);
    return exact.has(path) || prefixes.some((p) => path.startsWith(p));
  }

  async function personalize(
    req: RequestLike,
    html: string,
    headers: Iterable<[string, string]>,
    cookies: readonly string[],
  ): Promise<Reply> {
    const engine = await handler.engine();
    pages.set(req, { status: 200, html });
    let reply: Reply;
    try {
      reply = await engine.handle(req);
    } finally {
      pages.delete(req);
    }
    // Refusals (a URL or cookie header over the limits) are Tessera's answer as they are.
    if (reply.status !== 200) return reply;
    return {
      status: 200,
      headers: mergePageHeaders(headers, reply.headers),
      cookies: [...cookies, ...reply.cookies],
      body: reply.body,
    };
  }

  return {
    engine: handler.engine,
    owns,
    serve: async (req) => (await handler.engine()).handle(req),
    personalize,
    async fetch(request, render) {
      if (owns(request)) return toResponse(await (await handler.engine()).handle(request));
      const res = await render(request);
      const h = res.headers;
      if (!isPersonalizable(request.method, res.status, h.get('content-type'), h.get('content-encoding')))
        return res;
      const html = await res.text();
      return toResponse(await personalize(request, html, h.entries(), h.getSetCookie()));
    },
  };
}
