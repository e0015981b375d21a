/**
 * The page benchmark in Vercel's edge-runtime: the Vercel Edge shop
 * (examples/vercel-edge/shop.ts; profiles in the isolate's memory, as no
 * REST store is configured) measured inside the VM, answered at `/__bench`.
 */
import { shopHandler } from '../../examples/vercel-edge/shop.js';
import { measurePage } from './measure.js';

interface FetchEventLike {
  request: Request;
  respondWith(r: Promise<Response>): void;
}
declare function addEventListener(type: 'fetch', listener: (e: FetchEventLike) => void): void;

addEventListener('fetch', (event) => {
  const items = (new URL(event.request.url).searchParams.get('items') ?? '').split(',');
  event.respondWith(measurePage('edge-runtime', shopHandler(), items).then((r) => Response.json(r)));
});
