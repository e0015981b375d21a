/**
 * Tessera in Bun: the generic fetch handler with Bun's native HTMLRewriter
 * (the global, lol-html like workerd's), profiles in SQLite through
 * `bun:sqlite`, and events in the process's memory log (deduplicated,
 * counted; not durable). The handler is what `Bun.serve({ fetch })` takes.
 * @module
 */
import { createMemoryEventLog } from '../../logs/memory.js';
import { type BunDatabaseLike, createBunSqliteProfileStore } from '../../profiles/bun-sqlite.js';
import { type FetchHandler, nativeRewriter } from '../cloudflare/handler.js';
import { createEdgeHandler, type EdgeEnv, type EdgeSite } from '../edge/env-handler.js';

export interface BunHandlerOptions {
  /** `process.env` (or `Bun.env`): TESSERA_SECRET and the other `TESSERA_*` settings. */
  env: EdgeEnv;
  site: EdgeSite;
  /** `new Database(path)` from `bun:sqlite`. */
  db: BunDatabaseLike;
  model?: ArrayBuffer | (() => Promise<ArrayBuffer | undefined>);
}

export function createBunHandler(o: BunHandlerOptions): FetchHandler {
  const rewriter = nativeRewriter();
  if (!rewriter) throw new Error('[tessera] [bun] no global HTMLRewriter: is this Bun?');
  return createEdgeHandler({
    env: o.env,
    site: o.site,
    node: 'bun',
    ...(o.model ? { model: o.model } : {}),
    ports: (codec) => ({
      profiles: createBunSqliteProfileStore({ db: o.db, ...(codec ? { codec } : {}) }),
      events: createMemoryEventLog(),
      rewriter,
    }),
  });
}
