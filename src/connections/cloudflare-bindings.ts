/**
 * Structural types for the Workers bindings Tessera uses (KV, Durable
 * Objects, Queues, R2, the execution context). Only the methods we call, so
 * neither `@cloudflare/workers-types` nor workerd is needed to type-check,
 * and tests can hand in Miniflare's objects or fakes.
 * @module
 */

export interface KVNamespaceLike {
  get(key: string, type: 'arrayBuffer'): Promise<ArrayBuffer | null>;
  get(key: string, type: 'text'): Promise<string | null>;
  put(
    key: string,
    value: string | ArrayBuffer | ArrayBufferView,
    options?: { expirationTtl?: number },
  ): Promise<void>;
  delete(key: string): Promise<void>;
  list(options?: { prefix?: string; cursor?: string; limit?: number }): Promise<{
    keys: Array<{ name: string }>;
    list_complete: boolean;
    cursor?: string;
  }>;
}

export interface DurableObjectStubLike {
  fetch(input: string, init?: RequestInit): Promise<Response>;
}

export interface DurableObjectNamespaceLike {
  idFromName(name: string): unknown;
  get(id: unknown): DurableObjectStubLike;
}

/** The storage of one Durable Object; get/put/delete run behind its input gate. */
export interface DurableObjectStorageLike {
  get<T = unknown>(key: string): Promise<T | undefined>;
  put(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<boolean>;
}

/**
 * The rest of a Durable Object's storage API that the ledger object uses:
 * a multi-key put is one atomic write; `list` pages through a key prefix.
 */
export interface DurableObjectBatchStorageLike extends DurableObjectStorageLike {
  put(key: string, value: unknown): Promise<void>;
  put(entries: Record<string, unknown>): Promise<void>;
  delete(key: string): Promise<boolean>;
  delete(keys: string[]): Promise<number>;
  list<T = unknown>(options: {
    prefix: string;
    limit?: number;
    startAfter?: string;
  }): Promise<Map<string, T>>;
}

export interface DurableObjectStateLike {
  readonly storage: DurableObjectStorageLike;
}

export interface QueueLike<T = unknown> {
  send(body: T): Promise<void>;
  sendBatch(messages: Iterable<{ body: T }>): Promise<void>;
}

export interface R2BucketLike {
  get(key: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer> } | null>;
  put(key: string, value: ArrayBuffer): Promise<unknown>;
}

export interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void;
}
