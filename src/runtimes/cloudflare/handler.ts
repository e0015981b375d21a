/**
 * The generic fetch handler moved to `runtimes/fetch/handler.ts` (it serves
 * every fetch runtime); this path keeps existing imports working.
 * @module
 */
export {
  createFetchHandler,
  type FetchHandler,
  type FetchHandlerOptions,
  nativeRewriter,
  type WaitUntilLike,
} from '../fetch/handler.js';
