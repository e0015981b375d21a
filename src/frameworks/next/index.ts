/**
 * Tessera as Next.js middleware (`middleware.ts`, the edge runtime):
 * `export default tessera({ site, catalog, settings })` plus a `config.matcher`
 * that skips requests carrying {@link RENDER_HEADER}.
 *
 * Next's middleware runs before the route and cannot see the page the route
 * renders, so for a page request the middleware fetches the app's own render
 * of the same URL (the visitor's headers and cookies forwarded, plus
 * `x-tessera-render: 1`, which the matcher's `missing` rule lets through to
 * the page without running the middleware again), personalizes it through the
 * shared middleware core and returns it. `/collect`, `/tessera.js` and
 * `/privacy/me` are answered by the middleware itself. Anything else (other
 * methods, the render request itself) returns `undefined`: Next carries on.
 * The rewriter is lol-html in WebAssembly: Next's edge runtime has no
 * `HTMLRewriter`.
 * @module
 */
import type { SiteConfig } from '../../core/config.js';
import type { Engine } from '../../core/engine.js';
import { parseSiteConfig } from '../../core/segments/index.js';
import { createNodeRewriter as wasmRewriter } from '../../runtimes/node/html-rewriter.js';
import { createTesseraMiddleware, DEFAULT_PATHS, type TesseraMiddlewareOptions } from '../middleware.js';

export { DEFAULT_PATHS } from '../middleware.js';

/** Marks the middleware's own fetch of the page; `config.matcher` must skip requests that carry it. */
export const RENDER_HEADER = 'x-tessera-render';

export interface TesseraNextOptions extends Omit<TesseraMiddlewareOptions, 'site'> {
  /** The site's rules, parsed (`SiteConfig`) or as read from `site.json`. */
  site: SiteConfig | unknown;
  /**
   * The browser collector's source, served at `/tessera.js`. Without it the
   * path is left to Next: put the built collector (`tessera/browser`'s
   * bundle) in `public/tessera.js`.
   */
  collector?: string;
  /**
   * Where the app's render is fetched from (`http://127.0.0.1:3000` when
   * self-hosting behind a proxy). Default: the request's own origin.
   */
  renderOrigin?: string;
}

/** What Next passes as the second argument (`NextFetchEvent`), reduced to what is used. */
export interface NextFetchEventLike {
  waitUntil(promise: Promise<unknown>): void;
}

export type TesseraNext = ((
  request: Request,
  event?: NextFetchEventLike,
) => Promise<Response | undefined>) & {
  /** The engine, built on first use (profiles, models, experiments, health). */
  engine(): Promise<Engine>;
};

/** Tessera's paths when Next serves `/tessera.js` from `public/`. */
const WITHOUT_COLLECTOR = DEFAULT_PATHS.filter((p) => p !== '/tessera.js');

/** Request headers that describe the visitor's connection, not the page asked for. */
const NOT_FORWARDED = ['host', 'connection', 'content-length', 'accept-encoding'];

export function tessera(options: TesseraNextOptions): TesseraNext {
  const { renderOrigin, ...rest } = options;
  const t = createTesseraMiddleware({
    ...rest,
    site: parseSiteConfig(options.site),
    paths: rest.paths ?? (rest.collector === undefined ? WITHOUT_COLLECTOR : DEFAULT_PATHS),
    ports: { rewriter: wasmRewriter, ...rest.ports },
  });

  function render(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const target = renderOrigin ? new URL(url.pathname + url.search, renderOrigin) : url;
    const headers = new Headers(request.headers);
    for (const name of NOT_FORWARDED) headers.delete(name);
    headers.set(RENDER_HEADER, '1');
    // An uncompressed page: a compressed one is not personalized (and fetch would decode it anyway).
    headers.set('accept-encoding', 'identity');
    return fetch(target, { headers, redirect: 'manual' });
  }

  const middleware = async (request: Request, event?: NextFetchEventLike) => {
    // The matcher should have skipped this request; if it did not, the page is Next's to render.
    if (request.headers.has(RENDER_HEADER)) return undefined;
    if (!t.owns(request) && request.method !== 'GET') return undefined;
    const response = await t.fetch(request, render);
    event?.waitUntil((await t.engine()).idle());
    return response;
  };
  return Object.assign(middleware, { engine: t.engine });
}
