/**
 * A small least-recently-used cache bounded by entry count and by bytes,
 * for the in-process shell cache and the profile cache. Entries sit in a
 * doubly linked list, least recent first, found through a Map: a hit moves
 * its node to the end with a few pointer writes. (Re-inserting into the Map
 * on every hit, the simpler way, costs a Map delete and set: about four
 * times as much, and the page path reads four of these per request.)
 * @module
 */

export interface LruOptions<V> {
  maxEntries: number;
  /** Byte budget over all entries; default unbounded. */
  maxBytes?: number;
  /** Size of a value in bytes, when `set` is not told; default 0. */
  sizeOf?: (value: V) => number;
}

class Entry<K, V> {
  prev: Entry<K, V> | undefined = undefined;
  next: Entry<K, V> | undefined = undefined;
  constructor(
    readonly key: K,
    readonly value: V,
    readonly bytes: number,
  ) {}
}

export class LruCache<K, V> {
  readonly #entries = new Map<K, Entry<K, V>>();
  /** Least recently used. */
  #oldest: Entry<K, V> | undefined = undefined;
  /** Most recently used. */
  #newest: Entry<K, V> | undefined = undefined;
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
    if (entry !== this.#newest) {
      this.#unlink(entry);
      this.#append(entry);
    }
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
    const entry = new Entry(key, value, bytes);
    this.#entries.set(key, entry);
    this.#append(entry);
    this.#bytes += bytes;
    while (this.#entries.size > this.#maxEntries || this.#bytes > this.#maxBytes) {
      const oldest = this.#oldest;
      if (oldest === undefined) break;
      this.delete(oldest.key);
    }
    return true;
  }

  delete(key: K): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined) return false;
    this.#entries.delete(key);
    this.#unlink(entry);
    this.#bytes -= entry.bytes;
    return true;
  }

  clear(): void {
    this.#entries.clear();
    this.#oldest = undefined;
    this.#newest = undefined;
    this.#bytes = 0;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Sum of the sizes of the stored values. */
  get bytes(): number {
    return this.#bytes;
  }

  #unlink(entry: Entry<K, V>): void {
    if (entry.prev) entry.prev.next = entry.next;
    else this.#oldest = entry.next;
    if (entry.next) entry.next.prev = entry.prev;
    else this.#newest = entry.prev;
    entry.prev = undefined;
    entry.next = undefined;
  }

  #append(entry: Entry<K, V>): void {
    entry.prev = this.#newest;
    if (this.#newest) this.#newest.next = entry;
    else this.#oldest = entry;
    this.#newest = entry;
  }
}
