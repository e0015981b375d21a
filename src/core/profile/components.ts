/**
 * Per-node components: key → node → value, the shape of affinities, counts
 * and exposures. Each (key, node) is a grow-only register merged by max, as
 * in a G-counter; a key's value is the sum over its nodes.
 * @module
 */

import { own } from './own.js';

export type Components = Record<string, Record<string, number>>;

/** One (key, node, value) element, the unit that truncation ranks. */
export type Component = [key: string, node: string, value: number];

export function addComponent(c: Components, key: string, node: string, amount: number): void {
  const nodes = own(c, key) ?? {};
  nodes[node] = (own(nodes, node) ?? 0) + amount;
  c[key] = nodes;
}

export function listComponents(c: Components): Component[] {
  const out: Component[] = [];
  for (const key in c) {
    const nodes = c[key]!;
    for (const node in nodes) out.push([key, node, nodes[node]!]);
  }
  return out;
}

/** Union of elements; where both have a (key, node), the larger value. Each side is scaled first. */
export function maxComponents(a: Components, b: Components, scaleA = 1, scaleB = 1): Components {
  const out: Components = {};
  for (const [key, node, v] of [
    ...listComponents(a).map(scaled(scaleA)),
    ...listComponents(b).map(scaled(scaleB)),
  ]) {
    const nodes = own(out, key) ?? {};
    nodes[node] = Math.max(own(nodes, node) ?? Number.NEGATIVE_INFINITY, v);
    out[key] = nodes;
  }
  return out;
}

const scaled =
  (factor: number) =>
  ([key, node, v]: Component): Component => [key, node, v * factor];

/** Sum over the nodes of one key. */
export function sumKey(c: Components, key: string): number {
  const nodes = own(c, key);
  if (nodes === undefined) return 0;
  let s = 0;
  for (const node in nodes) s += nodes[node]!;
  return s;
}
