/**
 * Tessera in Deno (and Deno Deploy, Netlify Edge): the generic fetch handler
 * with profiles in Deno KV, lol-html in WebAssembly as the HTMLRewriter
 * (Deno has none), and events in the process's memory log (deduplicated,
 * counted; not durable). The handler is what `Deno.serve` takes.
 * @module
 */
import { createMemoryEventLog } from '../../logs/memory.js';
import { createDenoKvProfileStore, type DenoKvLike } from '../../profiles/deno-kv.js';
import type { FetchHandler } from '../cloudflare/handler.js';
import { createEdgeHandler, type EdgeEnv, type EdgeSite } from '../edge/env-handler.js';
import { createNodeRewriter as wasmRewriter } from '../node/html-rewriter.js';

export interface DenoHandlerOptions {
  /** `Deno.env.toObject()`: TESSERA_SECRET and the other `TESSERA_*` settings. */
  env: EdgeEnv;
  site: EdgeSite;
  /** `await Deno.openKv()`. */
  kv: DenoKvLike;
  model?: ArrayBuffer | (() => Promise<ArrayBuffer | undefined>);
}

export function createDenoHandler(o: DenoHandlerOptions): FetchHandler {
  return createEdgeHandler({
    env: o.env,
    site: o.site,
    node: 'deno',
    ...(o.model ? { model: o.model } : {}),
    ports: (codec) => ({
      profiles: createDenoKvProfileStore({ kv: o.kv, ...(codec ? { codec } : {}) }),
      events: createMemoryEventLog(),
      rewriter: wasmRewriter,
    }),
  });
}
