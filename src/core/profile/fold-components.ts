/**
 * A components part (affinities, counts, exposures) as the fold keeps it
 * between events: its (key, node, value) elements in three parallel arrays
 * sorted by key then node, changed in place (no object per element, values
 * unboxed), and the public record (key → node → value) built only when a
 * snapshot needs it and something changed.
 *
 * Building the record is most of a snapshot's cost, so it is built the cheap
 * way (see fold-records.ts): a fast-mode record filled in key order, reusing
 * each key's node map while its elements are unchanged. (Cloning the last
 * record with spread when only values changed measured no faster: the three
 * parts' records meet at one spread site, which V8 then runs generically.)
 *
 * After every event the part is brought back within its limit the way
 * truncateComponents would: the order of elements is total, so dropping the
 * lowest ranked element until the limit holds keeps exactly the top N.
 * @module
 */
import type { Components } from './components.js';
import { newRecord } from './fold-records.js';

type Nodes = Record<string, number>;

/** Parts of this limit or more (affinities) publish records with every key in-object (see fold-records.ts). */
const LARGE_LIMIT = 16;

export class ComponentsPart {
  /** Elements in (key, node) order. */
  private keys: string[] = [];
  private nodes: string[] = [];
  private vals: number[] = [];
  /** Per element: its key's public node map while that key's elements are unchanged (set on the key's first element). */
  private maps: (Nodes | undefined)[] = [];
  /** The public record while the part is unchanged since it was built. */
  private pub: Components | undefined;
  /** Values were rescaled or one overflowed: drop what truncation drops, at the end of the event. */
  private renormalize = false;
  /**
   * New elements of this event left out at the cap (see `add`): key, node,
   * amount, in the order they came. Few: one per key an event touches.
   */
  private skipped: Array<string | number> = [];

  constructor(
    private readonly limit: number,
    /** Values below this are dropped. */
    private readonly floor: number,
  ) {}

  /**
   * Start over as the part of a profile in normal form (keys and nodes
   * sorted, within the limit), sharing its records; the arrays are kept.
   */
  adopt(c: Components): void {
    const { keys, nodes, vals, maps } = this;
    emptyOut(keys);
    emptyOut(nodes);
    emptyOut(vals);
    emptyOut(maps);
    emptyOut(this.skipped);
    this.renormalize = false;
    for (const key in c) {
      const map = c[key]!;
      let first = true;
      for (const node in map) {
        keys.push(key);
        nodes.push(node);
        vals.push(map[node]!);
        maps.push(first ? map : undefined);
        first = false;
      }
    }
    this.pub = c;
  }

  /** True when the part holds at least one element. */
  any(): boolean {
    return this.keys.length > 0;
  }

  add(key: string, node: string, amount: number): void {
    const { keys, nodes } = this;
    const n = keys.length;
    // First element of `key` or after, by binary search on the key.
    let start = 0;
    let hi = n;
    while (start < hi) {
      const mid = (start + hi) >>> 1;
      if (keys[mid]! < key) start = mid + 1;
      else hi = mid;
    }
    // Then the node among the key's elements (the same node id string each time: identity first).
    let i = start;
    let found = false;
    while (i < n && keys[i] === key) {
      const at = nodes[i]!;
      if (at === node) {
        found = true;
        break;
      }
      if (!(at < node)) break;
      i++;
    }
    if (found) {
      const v = this.vals[i]! + amount;
      this.vals[i] = v;
      if (!Number.isFinite(v)) this.renormalize = true;
    } else {
      // An element this event left out comes back with what it had: the sum as if it had been kept.
      const sum = this.skipped.length === 0 ? amount : this.unskip(key, node) + amount;
      if (this.dropsAtOnce(sum)) {
        this.skipped.push(key, node, sum);
        return;
      }
      this.insert(i, key, node, sum);
      if (!Number.isFinite(sum)) this.renormalize = true;
    }
    this.maps[start] = undefined;
    this.pub = undefined;
  }

  /**
   * Whether a new element of `amount` would be the one truncation drops at
   * the end of this event: the part is at its limit and the amount is below
   * every value it holds. Within an event values only grow and nothing is
   * removed before its end, so it stays below them all: at the end, at least
   * `limit` elements rank above it. Left out, the part (and its published
   * record) is not changed at all. Not while values are being renormalized:
   * an element dropped for overflowing could leave room for it.
   */
  private dropsAtOnce(amount: number): boolean {
    const { vals } = this;
    if (vals.length < this.limit || this.renormalize || !Number.isFinite(amount)) return false;
    for (let j = 0; j < vals.length; j++) if (!(amount < vals[j]!)) return false;
    return true;
  }

  /** The amount left out for (key, node) in this event, taken back out of `skipped` (0: none). */
  private unskip(key: string, node: string): number {
    const { skipped } = this;
    for (let j = 0; j < skipped.length; j += 3) {
      if (skipped[j] === key && skipped[j + 1] === node) {
        const amount = skipped[j + 2] as number;
        skipped.splice(j, 3);
        return amount;
      }
    }
    return 0;
  }

  /** The elements left out in this event, inserted where they belong. */
  private putBackSkipped(): void {
    const { skipped, keys, nodes } = this;
    for (let j = 0; j < skipped.length; j += 3) {
      const key = skipped[j] as string;
      const node = skipped[j + 1] as string;
      let start = 0;
      while (start < keys.length && keys[start]! < key) start++;
      let i = start;
      while (i < keys.length && keys[i] === key && nodes[i]! < node) i++;
      this.insert(i, key, node, skipped[j + 2] as number);
      this.maps[start] = undefined; // as in `add`: the key's node map is rebuilt
    }
    this.pub = undefined;
  }

  /** Insert an element at `i`, moving the four arrays together (one loop, each array of one kind). */
  private insert(i: number, key: string, node: string, amount: number): void {
    const { keys, nodes, vals, maps } = this;
    keys.push(key);
    nodes.push(node);
    vals.push(amount);
    maps.push(undefined);
    for (let j = keys.length - 1; j > i; j--) {
      keys[j] = keys[j - 1]!;
      nodes[j] = nodes[j - 1]!;
      vals[j] = vals[j - 1]!;
      maps[j] = maps[j - 1];
    }
    keys[i] = key;
    nodes[i] = node;
    vals[i] = amount;
    maps[i] = undefined;
  }

  /** Remove the element at `i` from the four arrays. */
  private remove(i: number): void {
    const { keys, nodes, vals, maps } = this;
    const last = keys.length - 1;
    for (let j = i; j < last; j++) {
      keys[j] = keys[j + 1]!;
      nodes[j] = nodes[j + 1]!;
      vals[j] = vals[j + 1]!;
      maps[j] = maps[j + 1];
    }
    keys.pop();
    nodes.pop();
    vals.pop();
    maps.pop();
  }

  /** Multiply every value by `factor`. */
  scale(factor: number): void {
    const { vals, maps } = this;
    for (let i = 0; i < vals.length; i++) {
      vals[i]! *= factor;
      maps[i] = undefined;
    }
    this.pub = undefined;
    this.renormalize = true;
  }

  /** Back within the limit after one event. */
  endEvent(): void {
    if (this.skipped.length > 0) {
      // Renormalizing (an overflow after they were left out) may drop others: they compete again.
      if (this.renormalize) this.putBackSkipped();
      this.skipped.length = 0;
    }
    if (this.renormalize) {
      this.renormalize = false;
      this.dropBelowFloor();
    }
    while (this.keys.length > this.limit) this.evictLowest();
  }

  /** The part as a public record, laid out canonically (keys, then nodes, sorted). */
  publish(): Components {
    if (this.pub !== undefined) return this.pub;
    const { keys, maps } = this;
    const out: Components = newRecord(this.limit >= LARGE_LIMIT);
    for (let i = 0; i < keys.length; ) {
      const end = this.keyEnd(i);
      out[keys[i]!] = maps[i] ?? this.nodeMap(i, end);
      i = end;
    }
    this.pub = out;
    return out;
  }

  /**
   * Each key and the sum of its values over nodes (what `sumKey` gives, to
   * the bit), in key order, into `keysOut` and `sumsOut` from index 0;
   * returns how many. A key one node holds sums to its value; a key several
   * hold is summed over its public node map in `for…in` order, as `sumKey`
   * adds them (integer-like node ids come first there, not in string order).
   */
  keySums(keysOut: string[], sumsOut: number[]): number {
    const { keys, vals } = this;
    let n = 0;
    for (let i = 0; i < keys.length; ) {
      const end = this.keyEnd(i);
      let sum = vals[i]!;
      if (end > i + 1) {
        const map = this.maps[i] ?? this.nodeMap(i, end);
        sum = 0;
        for (const node in map) sum += map[node]!;
      }
      keysOut[n] = keys[i]!;
      sumsOut[n] = sum;
      n++;
      i = end;
    }
    return n;
  }

  /** One past the last element of the key at `i`. */
  private keyEnd(i: number): number {
    const { keys } = this;
    const key = keys[i];
    let end = i + 1;
    while (end < keys.length && keys[end] === key) end++;
    return end;
  }

  /** The public node map of elements [i, end), kept on element i until the key changes. */
  private nodeMap(i: number, end: number): Nodes {
    const map: Nodes = {};
    for (let j = i; j < end; j++) map[this.nodes[j]!] = this.vals[j]!;
    this.maps[i] = map;
    return map;
  }

  private dropBelowFloor(): void {
    const { keys, nodes, vals, maps, floor } = this;
    let w = 0;
    for (let r = 0; r < keys.length; r++) {
      const v = vals[r]!;
      if (!(Number.isFinite(v) && v >= floor)) continue;
      keys[w] = keys[r]!;
      nodes[w] = nodes[r]!;
      vals[w] = v;
      maps[w] = maps[r];
      w++;
    }
    if (w === keys.length) return;
    keys.length = w;
    nodes.length = w;
    vals.length = w;
    maps.length = w;
    // The first element of a key may have gone: clear every key's map rather than track which.
    maps.fill(undefined);
    this.pub = undefined;
  }

  /**
   * Drop the element truncation ranks last: the lowest value, then the
   * greatest key, then node. Elements are in ascending (key, node) order, so
   * among equal values the last one is the one to drop.
   */
  private evictLowest(): void {
    const { vals } = this;
    let worst = -1;
    let lowest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < vals.length; i++) {
      if (vals[i]! <= lowest) {
        lowest = vals[i]!;
        worst = i;
      }
    }
    if (worst < 0) return;
    this.touch(worst);
    const { keys } = this;
    const key = keys[worst];
    const alone = keys[worst - 1] !== key && keys[worst + 1] !== key;
    this.remove(worst);
    // The key's next element may now be its first: it must not carry a stale map.
    if (!alone && keys[worst] === key) this.maps[worst] = undefined;
    this.pub = undefined;
  }

  /** Forget the public node map of the key of element `i`. */
  private touch(i: number): void {
    const { keys } = this;
    let start = i;
    while (start > 0 && keys[start - 1] === keys[i]) start--;
    this.maps[start] = undefined;
  }
}

/** `xs.splice(i, 0, x)` without the array `splice` allocates for its result. */
export function insertAt<T>(xs: T[], i: number, x: T): void {
  xs.push(x);
  for (let j = xs.length - 1; j > i; j--) xs[j] = xs[j - 1]!;
  xs[i] = x;
}

/** A copy of `xs` with `x` inserted at `i`, cut to `max` elements: one array of the final size, no regrowth. */
export function insertedCopy<T>(xs: readonly T[], i: number, x: T, max: number): T[] {
  const n = Math.min(xs.length + 1, max);
  const out = new Array<T>(n);
  for (let j = 0; j < i && j < n; j++) out[j] = xs[j]!;
  if (i < n) out[i] = x;
  for (let j = i + 1; j < n; j++) out[j] = xs[j - 1]!;
  return out;
}

/**
 * Empties `a` and keeps its storage for the elements to come: `length = 0`
 * gives the storage up, and is a runtime call (about 40 ns more per array
 * refilled with two elements, in a microbenchmark not kept in the repository).
 */
export function emptyOut(a: unknown[]): void {
  while (a.length > 0) a.pop();
}
