/**
 * The node clock and node id as the fold stores them: whole numbers within
 * range, node id capped (numbers and ids count against the byte cap).
 * @module
 */
import type { Hlc } from '../types.js';
import { MAX_HLC_COUNTER, MAX_TIME_MS } from './limits.js';
import { clampNode } from './text.js';

export function cleanHlc(at: Hlc): Hlc {
  return { p: within(at.p, MAX_TIME_MS), l: within(at.l, MAX_HLC_COUNTER), n: cleanNode(at.n) };
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

/** An event's time as the fold uses it: `ts` clamped to [0, the node clock]; the node clock when `ts` is no number. */
export function eventTime(ts: number, at: Hlc): number {
  return Number.isFinite(ts) ? Math.max(0, Math.min(Math.floor(ts), at.p)) : at.p;
}
