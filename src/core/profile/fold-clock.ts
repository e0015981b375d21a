/**
 * The node clock and node id as a profile stores them: whole numbers within
 * range, the id capped (numbers and ids count against the byte cap). The
 * last reading and the last id are remembered: a batch runs under one clock,
 * and a process has one node id, or a few.
 * @module
 */
import type { Hlc } from '../types.js';
import { MAX_HLC_COUNTER, MAX_TIME_MS } from './limits.js';
import { clampNode } from './text.js';

/** The node clock as stored: whole numbers within range, node id capped (numbers and ids count against the byte cap). */
export function cleanHlc(at: Hlc): Hlc {
  // The same clock reading again (a batch under one clock, a caller reusing its options): the same copy.
  if (at === lastAt && at.p === lastAtP && at.l === lastAtL && at.n === lastAtN) return lastCleanAt;
  const clean = { p: within(at.p, MAX_TIME_MS), l: within(at.l, MAX_HLC_COUNTER), n: cleanNode(at.n) };
  lastAt = at;
  lastAtP = at.p;
  lastAtL = at.l;
  lastAtN = at.n;
  lastCleanAt = clean;
  return clean;
}

/** The last clock cleaned, its fields as they were read, and its clean copy (shared by the items that hold it). */
let lastAt: Hlc | undefined;
let lastAtP = 0;
let lastAtL = 0;
let lastAtN = '';
let lastCleanAt: Hlc = { p: 0, l: 0, n: '' };

/** A clock time as cleanHlc stores it. */
export function cleanTime(p: number): number {
  return within(p, MAX_TIME_MS);
}

function within(x: number, max: number): number {
  return Number.isFinite(x) ? Math.min(max, Math.max(0, Math.floor(x))) : 0;
}

let lastNode = '';
let lastClean = '';

/** clampNode, remembering the last node id (a process has one, or a few). */
export function cleanNode(node: string): string {
  if (node !== lastNode) {
    lastClean = clampNode(node);
    lastNode = node;
  }
  return lastClean;
}
