/**
 * A components part (affinities, counts, exposures) being changed by a batch
 * of events. The base part is never written: changed keys live in an overlay
 * (a key's node map is copied when that key is first written) and the new
 * part is built once, when the draft is done.
 *
 * After every event the part is brought back within its limit the way
 * truncateComponents would: the order of elements is total, so dropping the
 * lowest ranked element until the limit holds keeps exactly the top N.
 * @module
 */
import { type Components, listComponents } from './components.js';
import { own } from './own.js';
import { byString, truncateComponents } from './truncate.js';

type Nodes = Record<string, number>;

export class ComponentsDraft {
  private base: Components;
  /** Keys changed by this draft: their node maps (this draft's own), or null once dropped. */
  private changed = new Map<string, Nodes | null>();
  /** The base's keys, listed when first needed. */
  private baseKeys: string[] | undefined;
  /** (key, node) elements in the part; counted when an element is first added (-1: not yet). */
  private size = -1;
  /** Whether the part holds any element; worked out when first asked. */
  private nonEmpty: boolean | undefined;
  /** A key was added: keys need sorting when the part is built. */
  private keysAdded = false;
  /** Keys whose node maps got a new node: those need sorting when the part is built. */
  private nodesAdded = new Set<string>();
  /** Values were rescaled or one overflowed: truncate the whole part, as normalizeProfile would. */
  private renormalize = false;

  constructor(
    base: Components,
    private readonly limit: number,
    /** Values below this are dropped. */
    private readonly floor: number,
  ) {
    this.base = base;
  }

  /** True when the part holds at least one element. */
  any(): boolean {
    this.nonEmpty ??= this.keys().length > 0;
    return this.nonEmpty;
  }

  add(key: string, node: string, amount: number): void {
    let nodes = this.changed.get(key);
    if (nodes === undefined || nodes === null) {
      const from = nodes === null ? undefined : own(this.base, key);
      if (from === undefined) this.keysAdded = true;
      nodes = from === undefined ? {} : { ...from };
      this.changed.set(key, nodes);
    }
    const prev = own(nodes, node);
    if (prev === undefined) {
      this.size = (this.size < 0 ? this.count() : this.size) + 1;
      this.nodesAdded.add(key);
    }
    const next = (prev ?? 0) + amount;
    nodes[node] = next;
    this.nonEmpty = true;
    if (!Number.isFinite(next)) this.renormalize = true;
  }

  /** Multiply every value by `factor`. */
  scale(factor: number): void {
    const scaled: [string, Nodes][] = [];
    this.forEachKey((key, from) => {
      const nodes: Nodes = {};
      for (const node in from) nodes[node] = from[node]! * factor;
      scaled.push([key, nodes]);
    });
    for (const [key, nodes] of scaled) this.changed.set(key, nodes);
    this.renormalize = true;
  }

  /** Back within the limit after one event. */
  endEvent(): void {
    if (this.renormalize) {
      // truncateComponents lays the part out canonically: it becomes the new base.
      this.base = truncateComponents(listComponents(this.build()), this.limit, this.floor);
      this.changed = new Map();
      this.baseKeys = undefined;
      this.size = -1;
      this.nonEmpty = undefined;
      this.keysAdded = false;
      this.nodesAdded = new Set();
      this.renormalize = false;
    }
    for (; this.size > this.limit; this.size--) this.evictLowest();
  }

  /** The part, laid out canonically. */
  finish(): Components {
    const c = this.build();
    this.base = c;
    this.changed = new Map();
    this.baseKeys = undefined;
    this.keysAdded = false;
    this.nodesAdded = new Set();
    return c;
  }

  private build(): Components {
    const { changed, nodesAdded, base } = this;
    if (changed.size === 0) return base;
    let keys = this.keys();
    if (this.keysAdded) {
      // New keys go in their place; without them the base's order holds.
      keys = keys.filter((k) => !changed.has(k));
      for (const [key, nodes] of changed) if (nodes !== null) keys.push(key);
      keys.sort(byString);
    }
    const out: Components = {};
    for (const key of keys) {
      const nodes = changed.has(key) ? changed.get(key) : base[key];
      if (nodes) out[key] = nodesAdded.has(key) ? sortedNodes(nodes) : nodes;
    }
    return out;
  }

  private keys(): string[] {
    this.baseKeys ??= Object.keys(this.base);
    return this.baseKeys;
  }

  /** Every key with its node map, as the part stands now. */
  private forEachKey(f: (key: string, nodes: Nodes) => void): void {
    for (const key of this.keys()) if (!this.changed.has(key)) f(key, this.base[key]!);
    for (const [key, nodes] of this.changed) if (nodes !== null) f(key, nodes);
  }

  private count(): number {
    let n = 0;
    this.forEachKey((_, nodes) => {
      for (const _node in nodes) n++;
    });
    return n;
  }

  /** Drop the element truncation ranks last: the lowest value, then the greatest key, then node. */
  private evictLowest(): void {
    let worstKey: string | undefined;
    let worstNodes: Nodes = {};
    let worstNode = '';
    let worst = 0;
    this.forEachKey((key, nodes) => {
      for (const node in nodes) {
        const v = nodes[node]!;
        if (
          worstKey === undefined ||
          v < worst ||
          (v === worst && (key > worstKey || (key === worstKey && node > worstNode)))
        ) {
          worst = v;
          worstKey = key;
          worstNodes = nodes;
          worstNode = node;
        }
      }
    });
    if (worstKey === undefined) return;
    const rest: Nodes = {};
    let left = false;
    for (const node in worstNodes) {
      if (node === worstNode) continue;
      rest[node] = worstNodes[node]!;
      left = true;
    }
    this.changed.set(worstKey, left ? rest : null);
  }
}

/** Nodes in sorted order: the same map when they already are. */
function sortedNodes(nodes: Nodes): Nodes {
  const names = Object.keys(nodes);
  let sorted = true;
  for (let i = 1; i < names.length && sorted; i++) sorted = byString(names[i - 1]!, names[i]!) < 0;
  if (sorted) return nodes;
  const out: Nodes = {};
  for (const n of names.sort(byString)) out[n] = nodes[n]!;
  return out;
}
