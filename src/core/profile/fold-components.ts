/**
 * A components part (affinities, counts, exposures) as the fold keeps it
 * between events: its elements in sorted arrays the fold changes in place,
 * and the public record (key → node → value) built only when a snapshot
 * needs it and something changed. Records with many keys are slow to build
 * (V8 makes them dictionaries), so building one per event, or copying one to
 * change a value, is what the fold avoids.
 *
 * After every event the part is brought back within its limit the way
 * truncateComponents would: the order of elements is total, so dropping the
 * lowest ranked element until the limit holds keeps exactly the top N.
 * @module
 */
import type { Components } from './components.js';

type Nodes = Record<string, number>;

/** One key: its nodes (sorted) and their values; `pub` is its public node map while unchanged. */
interface Entry {
  key: string;
  names: string[];
  vals: number[];
  pub: Nodes | undefined;
}

export class ComponentsPart {
  /** Sorted by key. */
  private entries: Entry[] = [];
  /** (key, node) elements in the part. */
  private size = 0;
  /** The public record while the part is unchanged since it was built. */
  private pub: Components | undefined;
  /** Values were rescaled or one overflowed: drop what truncation drops, at the end of the event. */
  private renormalize = false;

  constructor(
    private readonly limit: number,
    /** Values below this are dropped. */
    private readonly floor: number,
  ) {}

  /** The part of a profile in normal form (keys and nodes sorted, within the limit); shares its records. */
  static of(c: Components, limit: number, floor: number): ComponentsPart {
    const part = new ComponentsPart(limit, floor);
    for (const key in c) {
      const nodes = c[key]!;
      const names: string[] = [];
      const vals: number[] = [];
      for (const node in nodes) {
        names.push(node);
        vals.push(nodes[node]!);
      }
      part.entries.push({ key, names, vals, pub: nodes });
      part.size += names.length;
    }
    part.pub = c;
    return part;
  }

  /** True when the part holds at least one element. */
  any(): boolean {
    return this.size > 0;
  }

  add(key: string, node: string, amount: number): void {
    const { entries } = this;
    let lo = 0;
    let hi = entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (entries[mid]!.key < key) lo = mid + 1;
      else hi = mid;
    }
    let entry = entries[lo];
    if (entry === undefined || entry.key !== key) {
      entry = { key, names: [node], vals: [amount], pub: undefined };
      insertAt(entries, lo, entry);
      this.size++;
    } else {
      const { names, vals } = entry;
      let i = 0;
      while (i < names.length && names[i]! < node) i++;
      if (names[i] === node) vals[i]! += amount;
      else {
        insertAt(names, i, node);
        insertAt(vals, i, amount);
        this.size++;
      }
      entry.pub = undefined;
      if (!Number.isFinite(vals[i]!)) this.renormalize = true;
    }
    this.pub = undefined;
  }

  /** Multiply every value by `factor`. */
  scale(factor: number): void {
    for (const entry of this.entries) {
      const { vals } = entry;
      for (let i = 0; i < vals.length; i++) vals[i]! *= factor;
      entry.pub = undefined;
    }
    this.pub = undefined;
    this.renormalize = true;
  }

  /** Back within the limit after one event. */
  endEvent(): void {
    if (this.renormalize) {
      this.renormalize = false;
      this.dropBelowFloor();
    }
    while (this.size > this.limit) this.evictLowest();
  }

  /** The part as a public record, laid out canonically (keys, then nodes, sorted). */
  publish(): Components {
    if (this.pub !== undefined) return this.pub;
    const out: Components = {};
    for (const entry of this.entries) out[entry.key] = entry.pub ?? nodesOf(entry);
    this.pub = out;
    return out;
  }

  private dropBelowFloor(): void {
    const { floor } = this;
    const kept: Entry[] = [];
    for (const entry of this.entries) {
      const { names, vals } = entry;
      for (let i = names.length - 1; i >= 0; i--) {
        const v = vals[i]!;
        if (Number.isFinite(v) && v >= floor) continue;
        removeAt(names, i);
        removeAt(vals, i);
        entry.pub = undefined;
        this.size--;
      }
      if (names.length > 0) kept.push(entry);
    }
    this.entries = kept;
    this.pub = undefined;
  }

  /**
   * Drop the element truncation ranks last: the lowest value, then the
   * greatest key, then node. Elements are visited in ascending (key, node)
   * order, so among equal values the last one visited is the one to drop.
   */
  private evictLowest(): void {
    const { entries } = this;
    let worstEntry = -1;
    let worstNode = -1;
    let worst = Number.POSITIVE_INFINITY;
    for (let e = 0; e < entries.length; e++) {
      const vals = entries[e]!.vals;
      for (let i = 0; i < vals.length; i++) {
        if (vals[i]! <= worst) {
          worst = vals[i]!;
          worstEntry = e;
          worstNode = i;
        }
      }
    }
    if (worstEntry < 0) return;
    const entry = entries[worstEntry]!;
    if (entry.names.length === 1) removeAt(entries, worstEntry);
    else {
      removeAt(entry.names, worstNode);
      removeAt(entry.vals, worstNode);
      entry.pub = undefined;
    }
    this.size--;
    this.pub = undefined;
  }
}

/** The public node map of an entry, built once per change (node ids are few, so these stay fast objects). */
function nodesOf(entry: Entry): Nodes {
  const nodes: Nodes = {};
  const { names, vals } = entry;
  for (let i = 0; i < names.length; i++) nodes[names[i]!] = vals[i]!;
  entry.pub = nodes;
  return nodes;
}

/** `xs.splice(i, 0, x)` without the array `splice` allocates for its result. */
export function insertAt<T>(xs: T[], i: number, x: T): void {
  xs.push(x);
  for (let j = xs.length - 1; j > i; j--) xs[j] = xs[j - 1]!;
  xs[i] = x;
}

/** `xs.splice(i, 1)` without the result array. */
export function removeAt<T>(xs: T[], i: number): void {
  for (let j = i; j < xs.length - 1; j++) xs[j] = xs[j + 1]!;
  xs.pop();
}
