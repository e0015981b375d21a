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
import type { FoldState } from './fold-state.js';
import { markNormal } from './normal.js';

const RING = 64;
const ring: (FoldState | undefined)[] = new Array(RING).fill(undefined);
let next = 0;
let last: FoldState | undefined;

/** The state `p` owns, if any. */
export function stateOwnedBy(p: Profile): FoldState | undefined {
  if (last !== undefined && last.owner === p) return last;
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

/** Keep `s` at hand for the next events of its owner. */
export function keepState(s: FoldState): void {
  last = s;
  if (ring[s.slot] === s) return;
  // The state falling out was made from a snapshot in normal form (its owner): say so, so the
  // owner's next batch (a visitor whose state went, with many visitors at once) does not check
  // the whole profile again. One mark per state let go, not one per snapshot.
  const out = ring[next];
  if (out?.owner !== undefined) markNormal(out.owner);
  s.slot = next;
  ring[next] = s;
  next = (next + 1) % RING;
}
