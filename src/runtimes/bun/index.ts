/**
 * Tessera on Bun: `Bun.serve({ fetch: createBunHandler({ env, site, db }) })`,
 * and the `bun:sqlite` profile store.
 * @module
 */
export {
  type BunDatabaseLike,
  type BunSqliteProfileStoreOptions,
  createBunSqliteProfileStore,
} from '../../profiles/bun-sqlite.js';
export type { EdgeEnv, EdgeSite } from '../edge/env-handler.js';
export { type BunHandlerOptions, createBunHandler } from './handler.js';
