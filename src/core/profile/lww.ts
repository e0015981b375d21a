/**
 * Last-writer-wins registers on the hybrid logical clock. Equal clocks should
 * not happen (the node id is part of the clock), but if they do the larger
 * value wins, so merge stays commutative even then.
 * @module
 */
import { compareHlc } from '../hlc.js';
import type { LwwRegister } from '../types.js';

/** Order of two registers: by clock, then by the JSON of the value. */
export function compareLww<T>(a: LwwRegister<T>, b: LwwRegister<T>): number {
  const c = compareHlc(a.at, b.at);
  if (c !== 0) return c;
  const va = JSON.stringify(a.v);
  const vb = JSON.stringify(b.v);
  return va < vb ? -1 : va > vb ? 1 : 0;
}

/** The winning register; either may be missing. */
export function lwwMax<T>(
  a: LwwRegister<T> | undefined,
  b: LwwRegister<T> | undefined,
): LwwRegister<T> | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return compareLww(a, b) >= 0 ? a : b;
}
