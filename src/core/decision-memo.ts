/**
 * What a decision derives from the profile alone, kept per profile version:
 * the memberships of segments that do not read the request, and
 * recommendation lists. Profiles are immutable (apply and merge return new
 * objects), so the object itself is the version: a changed profile misses.
 * Answers expire after `ttlMs` because decay and time windows move slowly
 * even when the profile does not.
 * @module
 */
import { DerivedMemo } from './profile/derived.js';
import type { Profile, RecommendedItem } from './types.js';

interface Derived {
  at: number;
  segments: string[] | undefined;
  recs: Map<string, RecommendedItem[]>;
}

export const DEFAULT_MEMO_TTL_MS = 10_000;

export class DecisionMemo {
  /** Kept with the profile's fold state while it owns one, so a profile read once costs no WeakMap entry. */
  private readonly byProfile = new DerivedMemo<Derived>();

  constructor(private readonly ttlMs = DEFAULT_MEMO_TTL_MS) {}

  private entry(profile: Profile, now: number): Derived {
    let d = this.byProfile.get(profile);
    if (!d || now - d.at > this.ttlMs || now < d.at) {
      d = { at: now, segments: undefined, recs: new Map() };
      this.byProfile.set(profile, d);
    }
    return d;
  }

  /** Profile-only segment memberships, computed once per profile version. */
  segments(profile: Profile, now: number, compute: () => string[]): string[] {
    const d = this.entry(profile, now);
    if (!d.segments) d.segments = compute();
    return d.segments;
  }

  /** A recommendation list for this profile version and everything else in `key`. */
  recommendations(
    profile: Profile,
    key: string,
    now: number,
    compute: () => RecommendedItem[],
  ): RecommendedItem[] {
    const d = this.entry(profile, now);
    let list = d.recs.get(key);
    if (!list) {
      list = compute();
      if (d.recs.size >= 32) d.recs.clear();
      d.recs.set(key, list);
    }
    return list;
  }
}
