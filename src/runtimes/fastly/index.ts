/**
 * Tessera on Fastly Compute: `createFastlyHandler({ platform, site })` with
 * the platform's modules passed in (examples/fastly/src/index.ts), the KV
 * Store profile driver and the rewriter over Fastly's native lol-html.
 * @module
 */
export {
  createFastlyKvProfileStore,
  type FastlyKvProfileStoreOptions,
  type FastlyKvStoreLike,
  fastlyKey,
  fastlyKvNamespace,
  fromFastlyKey,
} from '../../profiles/fastly-kv.js';
export {
  createFastlyHandler,
  type FastlyEnv,
  type FastlyHandler,
  type FastlyHandlerOptions,
  type FastlyPlatform,
} from './handler.js';
export {
  type FastlyElementLike,
  type FastlyRewritingStreamClass,
  type FastlyRewritingStreamLike,
  fastlyRewriter,
} from './rewriter.js';
