/**
 * Next.js's request routing around middleware, reduced to what
 * examples/next/middleware.ts asks of it, as a script for Vercel's
 * `edge-runtime`: a request the example's `config.matcher` matches (its
 * `source` as a regular expression, its `missing` headers) runs the
 * example's middleware; one it does not, or one the middleware passes
 * (`undefined`), is rendered by "the app" — a loopback server at
 * `NEXT_APP_RENDERER` that serves the pages Next would render. The
 * middleware's own page fetch comes back through here, so the matcher's
 * `missing` rule is what keeps it from recursing. Next itself is not run.
 */
import middleware, { config } from '../../examples/next/middleware.js';
import { countStoredProfiles, testRoutes } from '../runtimes/test-routes.js';

interface FetchEventLike {
  request: Request;
  respondWith(r: Promise<Response>): void;
  waitUntil(p: Promise<unknown>): void;
}
declare function addEventListener(type: 'fetch', listener: (e: FetchEventLike) => void): void;
declare const process: { env: Record<string, string> };

function matches(request: Request): boolean {
  const { pathname } = new URL(request.url);
  return config.matcher.some(
    (m) =>
      new RegExp(`^${m.source}$`).test(pathname) &&
      !m.missing.some((h) => {
        const v = request.headers.get(h.key);
        return v !== null && (!('value' in h) || v === h.value);
      }),
  );
}

/** What the app (Next's router and the page) answers; counts its renders for the test. */
let renders = 0;
function renderByApp(request: Request): Promise<Response> {
  renders++;
  const url = new URL(request.url);
  return fetch(new URL(url.pathname + url.search, process.env.NEXT_APP_RENDERER), {
    method: request.method,
    headers: request.headers,
    redirect: 'manual',
    ...(request.method === 'GET' || request.method === 'HEAD' ? {} : { body: request.body, duplex: 'half' }),
  } as RequestInit);
}

async function answer(request: Request, event: FetchEventLike): Promise<Response> {
  const engine = await middleware.engine();
  if (new URL(request.url).pathname === '/__test/renders') return Response.json({ count: renders });
  const test = await testRoutes(engine, () => countStoredProfiles(engine))(request);
  if (test) return test;
  if (matches(request)) {
    const response = await middleware(request, event);
    if (response) return response;
  }
  return renderByApp(request);
}

addEventListener('fetch', (event) => event.respondWith(answer(event.request, event)));
