/**
 * One item's live neighbours and their forward-decayed weights, bounded: it
 * grows to `limit + slack` neighbours, then keeps the `limit` strongest (and
 * the one just added) in one pass.
 *
 * Why not a `Map<string, number>`: counting adds to about twenty rows per
 * event. A Map of strings follows a pointer to each key it compares (a cache
 * miss per probe across hundreds of rows) and boxes every weight it stores (a
 * heap number per add: garbage). Here neighbours are small integers (the
 * counts intern item ids, `names` maps them back), found through an
 * open-addressing table in an Int32Array, and weights are added in place in a
 * Float64Array: one row is three small typed arrays. Slots keep the order
 * neighbours arrived in, which the prune's ties go by.
 *
 * Reads look like a read-only Map of item ids (`size`, `get`, `has`, `keys`,
 * `values`, iteration in arrival order), as the overlay builder reads rows.
 * @module
 */

export class BoundedRow implements Iterable<[string, number]> {
  /** Neighbour per slot, in arrival order. */
  private readonly ids: Int32Array;
  private readonly weights: Float64Array;
  /** Open addressing: slot + 1 of the neighbour hashed there, 0 for empty. */
  private readonly table: Int32Array;
  private readonly mask: number;
  private n = 0;

  constructor(
    private readonly limit: number,
    private readonly slack: number,
    /** Item id per interned number (the counts' table, shared by every row). */
    private readonly names: readonly string[],
    /** Scratch space for a prune's sort, shared by every row (one prune runs at a time). */
    private readonly scratch: Float64Array,
  ) {
    const capacity = limit + slack + 1;
    this.ids = new Int32Array(capacity);
    this.weights = new Float64Array(capacity);
    // At most 3/8 full, so probes stay short.
    let size = 8;
    while (size < capacity * 2.5) size *= 2;
    this.table = new Int32Array(size);
    this.mask = size - 1;
  }

  get size(): number {
    return this.n;
  }

  /** The table position holding `id`, or the empty one where it would go. */
  private probe(id: number): number {
    const t = this.table;
    let h = Math.imul(id, 0x9e3779b1) & this.mask;
    for (;;) {
      const s = t[h]!;
      if (s === 0 || this.ids[s - 1] === id) return h;
      h = (h + 1) & this.mask;
    }
  }

  /** Adds `w` to neighbour `id`'s weight (a new neighbour starts at `w`), pruning when the row is full. */
  add(id: number, w: number): void {
    const h = this.probe(id);
    const s = this.table[h]!;
    if (s !== 0) {
      this.weights[s - 1]! += w;
      return;
    }
    const n = this.n++;
    this.ids[n] = id;
    this.weights[n] = w;
    this.table[h] = n + 1;
    if (n + 1 > this.limit + this.slack) this.prune(id);
  }

  /** Multiplies every weight by `f` (the decay landmark moved). */
  scale(f: number): void {
    const w = this.weights;
    for (let i = 0; i < this.n; i++) w[i]! *= f;
  }

  /**
   * Keep the `limit` strongest, and `keep` (the neighbour just added) whatever its weight: those
   * below the weakest weight that stays go, then as many at it as the limit needs, first come first.
   */
  private prune(keep: number): void {
    const n = this.n;
    const w = this.weights;
    const ids = this.ids;
    const copy = this.scratch;
    copy.set(w.subarray(0, n));
    const cut = kthSmallest(copy, n, n - this.limit);
    // What survives the first cut: at least the weakest weight that stays, or the one just added.
    let size = 0;
    for (let i = 0; i < n; i++) if (w[i]! >= cut || ids[i] === keep) size++;
    let out = 0;
    for (let i = 0; i < n; i++) {
      const id = ids[i]!;
      const v = w[i]!;
      let stays = v >= cut || id === keep;
      // Ties at the cut go first come first, while the row is still over the limit.
      if (stays && v === cut && id !== keep && size > this.limit) {
        stays = false;
        size--;
      }
      if (!stays) continue;
      ids[out] = id;
      w[out] = v;
      out++;
    }
    this.n = out;
    this.table.fill(0);
    for (let i = 0; i < out; i++) this.table[this.probe(ids[i]!)] = i + 1;
  }

  /** The weight of neighbour `id` (interned), if it is one. */
  weightOf(id: number): number | undefined {
    const s = this.table[this.probe(id)]!;
    return s === 0 ? undefined : this.weights[s - 1];
  }

  private idOf(item: string): number {
    // Reads (the overlay builder, tests) are rare: a scan of the row, not a lookup table.
    for (let i = 0; i < this.n; i++) if (this.names[this.ids[i]!] === item) return this.ids[i]!;
    return -1;
  }

  get(item: string): number | undefined {
    const id = this.idOf(item);
    return id < 0 ? undefined : this.weightOf(id);
  }

  has(item: string): boolean {
    return this.idOf(item) >= 0;
  }

  *keys(): IterableIterator<string> {
    for (let i = 0; i < this.n; i++) yield this.names[this.ids[i]!]!;
  }

  *values(): IterableIterator<number> {
    for (let i = 0; i < this.n; i++) yield this.weights[i]!;
  }

  *[Symbol.iterator](): IterableIterator<[string, number]> {
    for (let i = 0; i < this.n; i++) yield [this.names[this.ids[i]!]!, this.weights[i]!];
  }
}

/**
 * The `k`-th smallest (from 0) of the first `n` values of `a`, which it reorders: Hoare's
 * selection, linear on average. The prune needs only the cut, not the order: a full sort of a
 * row per prune was a third of the live counts' time under ingest load.
 */
export function kthSmallest(a: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    // Median of three as the pivot: rows arrive in no particular order, but ties are common.
    const mid = (lo + hi) >>> 1;
    const x = a[lo]!;
    const y = a[mid]!;
    const z = a[hi]!;
    const pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    // [lo, j] ≤ pivot ≤ [i, hi], and everything strictly between j and i equals the pivot.
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return pivot;
  }
  return a[k]!;
}
