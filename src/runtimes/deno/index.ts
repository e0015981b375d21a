/**
 * Tessera on Deno: `Deno.serve(createDenoHandler({ env, site, kv }))`, and the
 * Deno KV profile store.
 * @module
 */
export {
  createDenoKvProfileStore,
  type DenoKvLike,
  type DenoKvProfileStoreOptions,
} from '../../profiles/deno-kv.js';
export type { EdgeEnv, EdgeSite } from '../edge/env-handler.js';
export { createDenoHandler, type DenoHandlerOptions } from './handler.js';
