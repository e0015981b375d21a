/**
 * Tessera on Vercel Edge: `export default createVercelEdgeHandler({ env:
 * process.env, site })`, and the Redis REST (Vercel KV / Upstash) profile store.
 * @module
 */
export {
  createRedisRestClient,
  type RedisRestClient,
  type RedisRestOptions,
} from '../../connections/redis-rest.js';
export {
  createRedisRestProfileStore,
  type RedisRestProfileStoreOptions,
} from '../../profiles/redis-rest.js';
export type { EdgeEnv, EdgeSite } from '../edge/env-handler.js';
export { createVercelEdgeHandler, type VercelEdgeEnv, type VercelEdgeHandlerOptions } from './handler.js';
