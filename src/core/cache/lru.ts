/**
 * A small least-recently-used cache bounded by entry count and by bytes,
 * for the in-process shell cache and the profile cache. A Map keeps
 * insertion order, so re-inserting on access makes the first key the least
 * recently used one: get, set and evict are O(1) without a linked list.
 * @module
 */

export interface LruOptions<V> {
  maxEntries: number;
  /** Byte budget over all entries; default unbounded. */
  maxBytes?: number;
  /** Size of a value in bytes, when `set` is not told; default 0. */
  sizeOf?: (value: V) => number;
}

interface Entry<V> {
  value: V;
  bytes: number;
}

export class LruCache<K, V> {
  readonly #entries = new Map<K, Entry<V>>();
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #sizeOf: (value: V) => number;
  #bytes = 0;

  constructor(options: LruOptions<V>) {
    this.#maxEntries = Math.max(0, options.maxEntries);
    this.#maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
    this.#sizeOf = options.sizeOf ?? (() => 0);
  }

  /** The value, now the most recently used; undefined when absent. */
  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  /** Presence without touching recency. */
  has(key: K): boolean {
    return this.#entries.has(key);
  }

  /**
   * Stores the value as most recently used and evicts from the least recent
   * end until both bounds hold. Returns false (and stores nothing) for a
   * value larger than the whole byte budget: it would evict everything and
   * then itself.
   */
  set(key: K, value: V, bytes: number = this.#sizeOf(value)): boolean {
    this.delete(key);
    if (bytes > this.#maxBytes || this.#maxEntries === 0) return false;
    this.#entries.set(key, { value, bytes });
    this.#bytes += bytes;
    while (this.#entries.size > this.#maxEntries || this.#bytes > this.#maxBytes) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
    return true;
  }

  delete(key: K): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined) return false;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
    return true;
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Sum of the sizes of the stored values. */
  get bytes(): number {
    return this.#bytes;
  }
}
