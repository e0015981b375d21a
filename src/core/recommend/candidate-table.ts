/**
 * The working set of one ranking: a small open-addressing hash table keyed by
 * item index, holding each candidate's score and the source behind it, and a
 * "blocked" mark for filtered or already-picked items.
 *
 * Why not arrays indexed by item: those cost O(catalog) memory per isolate
 * and scatter reads over it (cache misses on every candidate). This table
 * holds O(recent × K) entries, stays in cache, and is cleared by undoing only
 * the slots it used. One module-level table is reused by every call; ranking
 * is synchronous, so that is safe in a single-threaded isolate.
 * @module
 */

const EMPTY = -1;
const BLOCKED = 1;
const HASH = 0x9e3779b1;
/** Entries per slot at most; a sparse table keeps probe chains short. */
const MAX_LOAD = 0.25;

export class CandidateTable {
  keys: Int32Array;
  score: Float64Array;
  /** Largest single contribution so far, and the source index it came from. */
  viaScore: Float64Array;
  via: Int32Array;
  state: Uint8Array;
  /** Used slots in insertion order: for iteration and for cheap clearing. */
  slots: Int32Array;
  used = 0;
  /** Whether the last `slotOf` created the entry. */
  fresh = false;
  private mask: number;
  /** Fibonacci hashing takes the top bits of the product, which mix all bits of the id. */
  private shift: number;

  constructor(capacity = 1024) {
    const cap = 2 ** Math.ceil(Math.log2(Math.max(16, capacity)));
    this.keys = new Int32Array(cap).fill(EMPTY);
    this.score = new Float64Array(cap);
    this.viaScore = new Float64Array(cap);
    this.via = new Int32Array(cap);
    this.state = new Uint8Array(cap);
    this.slots = new Int32Array(cap);
    this.mask = cap - 1;
    this.shift = 32 - Math.log2(cap);
  }

  /** Empties the table (O(entries used last time)). */
  clear(): void {
    for (let u = 0; u < this.used; u++) this.keys[this.slots[u]!] = EMPTY;
    this.used = 0;
  }

  /** Slot of an item, creating an unblocked entry with score 0 when absent. */
  slotOf(id: number): number {
    let slot = Math.imul(id, HASH) >>> this.shift;
    for (;;) {
      const key = this.keys[slot]!;
      if (key === id) {
        this.fresh = false;
        return slot;
      }
      if (key === EMPTY) break;
      slot = (slot + 1) & this.mask;
    }
    if (this.used + 1 > this.keys.length * MAX_LOAD) {
      this.grow();
      return this.slotOf(id);
    }
    this.keys[slot] = id;
    this.score[slot] = 0;
    this.viaScore[slot] = Number.NEGATIVE_INFINITY;
    this.via[slot] = -1;
    this.state[slot] = 0;
    this.slots[this.used++] = slot;
    this.fresh = true;
    return slot;
  }

  /** Slot of an item, or -1. */
  find(id: number): number {
    let slot = Math.imul(id, HASH) >>> this.shift;
    for (;;) {
      const key = this.keys[slot]!;
      if (key === id) return slot;
      if (key === EMPTY) return -1;
      slot = (slot + 1) & this.mask;
    }
  }

  isBlocked(id: number): boolean {
    const slot = this.find(id);
    return slot >= 0 && this.state[slot] === BLOCKED;
  }

  /** Blocks an item. Never moves existing entries when the item is already present. */
  block(id: number): void {
    const slot = this.slotOf(id); // first: it may grow the table and replace `state`
    this.state[slot] = BLOCKED;
  }

  blockedAt(slot: number): boolean {
    return this.state[slot] === BLOCKED;
  }

  blockSlot(slot: number): void {
    this.state[slot] = BLOCKED;
  }

  /** Makes room for `extra` more entries up front, so a hot loop never grows the table. */
  reserve(extra: number): void {
    while (this.used + extra > this.keys.length * MAX_LOAD) this.grow();
  }

  /**
   * The hot loop: adds `weight × scores[t]` to each item `ids[t]` for t in
   * [from, to), stopping at -1 padding. New items that fail `eligible` are
   * entered as blocked. Records the largest contribution's `source`. The
   * caller reserves room first; the loop works on local copies of the arrays.
   */
  accumulate(
    ids: Int32Array,
    scores: Float32Array,
    from: number,
    to: number,
    weight: number,
    source: number,
    eligible: (id: number) => boolean,
  ): void {
    const { keys, score, viaScore, via, state, slots, mask, shift } = this;
    let used = this.used;
    for (let t = from; t < to; t++) {
      const id = ids[t]!;
      if (id < 0) break; // padding is always at the end of a row
      let slot = Math.imul(id, HASH) >>> shift;
      let key = keys[slot]!;
      while (key !== id && key !== EMPTY) {
        slot = (slot + 1) & mask;
        key = keys[slot]!;
      }
      if (key === EMPTY) {
        keys[slot] = id;
        slots[used++] = slot;
        if (!eligible(id)) {
          state[slot] = BLOCKED;
          continue;
        }
        state[slot] = 0;
        score[slot] = 0;
        viaScore[slot] = Number.NEGATIVE_INFINITY;
      } else if (state[slot] === BLOCKED) {
        continue;
      }
      const c = weight * scores[t]!;
      score[slot]! += c;
      if (c > viaScore[slot]!) {
        viaScore[slot] = c;
        via[slot] = source;
      }
    }
    this.used = used;
  }

  /** Doubles the capacity and reinserts every entry (slots change). */
  private grow(): void {
    const old = {
      keys: this.keys,
      score: this.score,
      viaScore: this.viaScore,
      via: this.via,
      state: this.state,
    };
    const oldSlots = this.slots.subarray(0, this.used);
    const cap = this.keys.length * 2;
    this.keys = new Int32Array(cap).fill(EMPTY);
    this.score = new Float64Array(cap);
    this.viaScore = new Float64Array(cap);
    this.via = new Int32Array(cap);
    this.state = new Uint8Array(cap);
    const slots = new Int32Array(cap);
    this.mask = cap - 1;
    this.shift = 32 - Math.log2(cap);
    let used = 0;
    for (const s of oldSlots) {
      let slot = Math.imul(old.keys[s]!, HASH) >>> this.shift;
      while (this.keys[slot] !== EMPTY) slot = (slot + 1) & this.mask;
      this.keys[slot] = old.keys[s]!;
      this.score[slot] = old.score[s]!;
      this.viaScore[slot] = old.viaScore[s]!;
      this.via[slot] = old.via[s]!;
      this.state[slot] = old.state[s]!;
      slots[used++] = slot;
    }
    this.slots = slots;
    this.used = used;
  }
}
