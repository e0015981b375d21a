/**
 * The demo shop as a Vercel Edge Function: `export default` takes a Request
 * and answers a Response (`config.runtime = 'edge'`). Profiles in Vercel KV
 * (Upstash REST), the model fetched from `TESSERA_MODEL_URL`. Tested in
 * Vercel's `edge-runtime` (test/runtimes/edge-runtime.test.ts).
 */
import { createVercelEdgeHandler, type VercelEdgeEnv } from '../../src/runtimes/vercel/index.js';
import { shopSite } from '../cloudflare/shop.js';

export const config = { runtime: 'edge' };

declare const process: { env: VercelEdgeEnv };

let handler: ReturnType<typeof createVercelEdgeHandler> | undefined;

/** Built on the first request: Vercel sets `process.env` before it. */
export function shopHandler(): ReturnType<typeof createVercelEdgeHandler> {
  handler ??= createVercelEdgeHandler({ env: process.env, site: shopSite() });
  return handler;
}

export default (request: Request) => shopHandler()(request);
