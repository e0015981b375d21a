/**
 * The Vercel Edge shop (examples/vercel-edge/shop.ts) as a script for
 * Vercel's `edge-runtime`, which dispatches `fetch` events, plus the
 * test-only routes (test-routes.ts).
 */
import handle, { shopHandler } from '../../examples/vercel-edge/shop.js';
import { countStoredProfiles, testRoutes } from './test-routes.js';

interface FetchEventLike {
  request: Request;
  respondWith(r: Promise<Response>): void;
}
declare function addEventListener(type: 'fetch', listener: (e: FetchEventLike) => void): void;

async function answer(request: Request): Promise<Response> {
  const engine = await shopHandler().engine();
  const test = await testRoutes(engine, () => countStoredProfiles(engine))(request);
  return test ?? handle(request);
}

addEventListener('fetch', (event) => event.respondWith(answer(event.request)));
