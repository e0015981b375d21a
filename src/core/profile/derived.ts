/**
 * Data a reader derives from a profile (a segment evaluator's table of sums,
 * say), remembered per profile. A profile never changes once made, so what
 * is derived from it stays true for as long as it lives.
 *
 * The profile the fold made last keeps it with the fold state it owns (see
 * fold-owner.ts), in a field of that state; any other profile, in a WeakMap
 * (so does that one once the fold has made another).
 * A WeakMap entry per profile costs the garbage collector more than the read
 * it saves when the profile is read once and then replaced, as a visitor's
 * profile is when each request folds new events: measured on the peer
 * benchmark's equal-work decision (20 events folded, then decided), 26.6 →
 * 21 µs per decision. The state drops what it kept when its owner changes.
 * @module
 */
import type { Profile } from '../types.js';
import { stateOfNewest } from './fold-owner.js';

export class DerivedMemo<T extends object> {
  private readonly others = new WeakMap<Profile, T>();

  get(p: Profile): T | undefined {
    const s = stateOfNewest(p);
    if (s !== undefined) return s.derivedFor === p ? (s.derivedBy(this) as T | undefined) : undefined;
    return this.others.get(p);
  }

  set(p: Profile, value: T): void {
    const s = stateOfNewest(p);
    if (s === undefined) this.others.set(p, value);
    else s.keepDerived(p, this, value);
  }
}

/**
 * The affinity keys of `p` and their sums over nodes (what `sumKey` gives,
 * to the bit), into `keys` and `sums` from index 0, when `p` is the profile
 * the fold made last: read from its fold state, with no walk of the public
 * record. Returns how many, or -1 for any other profile.
 */
export function newestAffinitySums(p: Profile, keys: string[], sums: number[]): number {
  const s = stateOfNewest(p);
  return s === undefined ? -1 : s.affinities.keySums(keys, sums);
}
