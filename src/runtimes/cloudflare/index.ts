/**
 * Tessera on Cloudflare Workers (and any Web-standard `fetch` runtime): the
 * module Worker entry wired to KV, Durable Objects, Queues and R2, the
 * generic handler, and the drivers.
 * @module
 */

export type {
  DurableObjectBatchStorageLike,
  DurableObjectNamespaceLike,
  DurableObjectStateLike,
  ExecutionContextLike,
  KVNamespaceLike,
  QueueLike,
  R2BucketLike,
} from '../../connections/cloudflare-bindings.js';
export {
  createDurableObjectLedgerStore,
  type DurableObjectLedgerStoreOptions,
  TesseraLedger,
} from '../../ledgers/durable-object.js';
export {
  createQueueEventLog,
  type QueueEventLogOptions,
  type QueueMessage,
} from '../../logs/cloudflare-queue.js';
export { createKvModelStore, createR2ModelStore, DEFAULT_MODEL_KEY } from '../../models/cloudflare.js';
export { type AsyncProfileCodec, plainAsyncProfileCodec } from '../../profiles/async-profile-codec.js';
export {
  createKvProfileStore,
  type KvProfileStore,
  type KvProfileStoreOptions,
} from '../../profiles/cloudflare-kv.js';
export {
  createDurableObjectProfileStore,
  type DurableObjectProfileStoreOptions,
} from '../../profiles/durable-object.js';
export { createWebCryptoProfileCodec, webBlobKeyId } from '../../profiles/webcrypto-profile-codec.js';
export { atRestCodecFromEnv, type KeyEnv, keyRingFromEnv } from './env-keys.js';
export {
  createFetchHandler,
  type FetchHandler,
  type FetchHandlerOptions,
  nativeRewriter,
} from './handler.js';
export { loadOrtWorker, onnxWorkerRankers } from './onnx-runtime.js';
export { type FetchOriginOptions, fetchOrigin } from './origin.js';
export { TesseraProfiles } from './profiles-object.js';
export {
  appliedEventsLog,
  createQueueConsumer,
  type QueueBatchLike,
  type QueueConsumerOptions,
  type QueueDelivery,
} from './queue-consumer.js';
export { createWorker, type TesseraEnv, type TesseraWorker, type WorkerSite } from './worker.js';
