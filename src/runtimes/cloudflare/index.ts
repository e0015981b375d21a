/**
 * Tessera on Cloudflare Workers (and any Web-standard `fetch` runtime): the
 * module Worker entry wired to KV, Durable Objects, Queues and R2, the
 * generic handler, and the drivers.
 * @module
 */

export { type AsyncProfileCodec, plainAsyncProfileCodec } from '../../stores/async-profile-codec.js';
export type {
  DurableObjectNamespaceLike,
  DurableObjectStateLike,
  ExecutionContextLike,
  KVNamespaceLike,
  QueueLike,
  R2BucketLike,
} from '../../stores/cloudflare-bindings.js';
export {
  createKvProfileStore,
  type KvProfileStore,
  type KvProfileStoreOptions,
} from '../../stores/cloudflare-kv.js';
export {
  createDurableObjectProfileStore,
  type DurableObjectProfileStoreOptions,
} from '../../stores/durable-object.js';
export { createWebCryptoProfileCodec, webBlobKeyId } from '../../stores/webcrypto-profile-codec.js';
export { atRestCodecFromEnv, type KeyEnv, keyRingFromEnv } from './env-keys.js';
export {
  createFetchHandler,
  type FetchHandler,
  type FetchHandlerOptions,
  nativeRewriter,
} from './handler.js';
export { createKvModelStore, createR2ModelStore, DEFAULT_MODEL_KEY } from './model-store.js';
export { type FetchOriginOptions, fetchOrigin } from './origin.js';
export { TesseraProfiles } from './profiles-object.js';
export {
  appliedEventsLog,
  createQueueConsumer,
  type QueueBatchLike,
  type QueueConsumerOptions,
  type QueueDelivery,
} from './queue-consumer.js';
export { createQueueEventLog, type QueueEventLogOptions, type QueueMessage } from './queue-log.js';
export { createWorker, type TesseraEnv, type TesseraWorker, type WorkerSite } from './worker.js';
