/**
 * Which fold state a snapshot owns. The newest snapshot of a visitor's
 * profile owns the state it was made from, so applying the next events to it
 * continues from that state instead of re-reading the profile. Only the
 * snapshot the state still names as owner may use it: an older version used
 * again gets a fresh state (see apply.ts), so a profile never changes once
 * made — what the decision memo, keyed on profile identity, relies on.
 *
 * The states used last are kept in a small ring, not in a WeakMap keyed by
 * snapshot: a WeakMap entry per event (a state per short-lived snapshot)
 * costs the garbage collector more than the fold itself. A state that falls
 * out of the ring is rebuilt from its snapshot when next used (once per
 * batch, not per event).
 * @module
 */
import type { Profile } from '../types.js';
import { FoldState } from './fold-state.js';
import { markNormal } from './normal.js';

const RING = 64;
const ring: (FoldState | undefined)[] = new Array(RING).fill(undefined);
let next = 0;
let last: FoldState | undefined;

/**
 * States let go of, to be adopted by new ones (see `stateFor`). Each new
 * state allocated its own arrays (a dozen): besides the cost, when a young
 * collection came soon after a full one, every state made since was still
 * in the ring, and V8 then took those arrays' allocation sites for
 * long-lived and allocated them in the old generation from then on
 * (pretenuring): a process did each visitor's fold with more full
 * collections, about 30 % slower on the peer benchmark's equal-work decision,
 * in one run out of four.
 */
const LET_GO = 4;
const letGo: FoldState[] = [];

/** A state for `p` (in normal form), made from one let go of when there is one. */
export function stateFor(p: Profile): FoldState {
  return letGo.pop()?.adopt(p) ?? new FoldState(p);
}

/** The state `p` owns, if any. */
export function stateOwnedBy(p: Profile): FoldState | undefined {
  const newest = stateOfNewest(p);
  if (newest !== undefined) return newest;
  for (let i = 0; i < RING; i++) {
    const s = ring[i];
    if (s !== undefined && s.owner === p) return s;
  }
  return undefined;
}

/** The state `p` owns if `p` is the profile the fold made last; one check, not a search of the ring. */
export function stateOfNewest(p: Profile): FoldState | undefined {
  return last !== undefined && last.owner === p ? last : undefined;
}

/**
 * Let go of every state kept, and of the profiles they name. For an erasure:
 * the ring keeps the newest profiles of the last 64 visitors folded, which on
 * a quiet node could keep an erased visitor's profile in memory for a long
 * time. Erasures are rare and the ring is only a shortcut: each visitor's next
 * batch rebuilds its state from the profile, as after any miss.
 */
export function forgetFoldStates(): void {
  ring.fill(undefined);
  letGo.length = 0;
  last = undefined;
  next = 0;
}

/** Keep `s` at hand for the next events of its owner. */
export function keepState(s: FoldState): void {
  last = s;
  if (ring[s.slot] === s) return;
  // The state falling out was made from a snapshot in normal form (its owner): say so, so the
  // owner's next batch (a visitor whose state went, with many visitors at once) does not check
  // the whole profile again. One mark per state let go, not one per snapshot.
  const out = ring[next];
  if (out?.owner !== undefined) {
    markNormal(out.owner);
    // Nothing names it now (not mid-batch: that one has no owner): its arrays serve the next new state.
    if (letGo.length < LET_GO) letGo.push(out);
  }
  s.slot = next;
  ring[next] = s;
  next = (next + 1) % RING;
}
