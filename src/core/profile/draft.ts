/**
 * A working copy of a profile in normal form, for applying a batch of events
 * with one copy: each part is copied only when first written (components
 * per key, see components-draft.ts), parts nobody writes stay shared with the
 * base profile (profiles are never changed in place, so sharing is safe).
 *
 * After every event the draft is brought back to normal form where the event
 * touched it, with the same result as normalizeProfile. Truncating after
 * every event, not once per batch, is what keeps a batch equal to applying
 * its events one by one: an element dropped in between starts again from zero.
 * @module
 */
import type { Profile, RecentItem } from '../types.js';
import { ComponentsDraft } from './components-draft.js';
import { MIN_STORED } from './decay.js';
import { PROFILE_LIMITS } from './limits.js';
import { markNormal, seenIndexOf, takeSeenIndex } from './normal.js';
import { compareSeen, countSeen, type SeenIndex, seenHash } from './seen.js';
import { assembleProfile, compareRecent, truncateSuppressions, truncateTraits } from './truncate.js';

export class ProfileDraft {
  landmark: number;
  halfLifeMs: number | undefined;
  consent: Profile['consent'];
  userId: Profile['userId'];
  readonly affinities: ComponentsDraft;
  readonly counts: ComponentsDraft;
  readonly exposures: ComponentsDraft;
  private recent: RecentItem[];
  private seen: string[];
  private traitsNow: Profile['traits'];
  private suppressionsNow: Profile['suppressions'];
  private recentCopied = false;
  private seenIndex: SeenIndex | undefined;
  private traitsCopied = false;
  private traitsTouched = false;
  private suppressionsCopied = false;
  private suppressionsTouched = false;

  /** `base` must be in normal form (marked, or checked with inNormalForm). */
  constructor(private readonly base: Profile) {
    this.landmark = base.landmark;
    this.halfLifeMs = base.halfLifeMs;
    this.consent = base.consent;
    this.userId = base.userId;
    this.affinities = new ComponentsDraft(base.affinities, PROFILE_LIMITS.affinities, MIN_STORED);
    this.counts = new ComponentsDraft(base.counts, PROFILE_LIMITS.counts, MIN_STORED);
    this.exposures = new ComponentsDraft(base.exposures, PROFILE_LIMITS.exposures, 1);
    this.recent = base.recent;
    this.seen = base.seen;
    this.traitsNow = base.traits;
    this.suppressionsNow = base.suppressions;
  }

  /** True when the profile holds any forward-decayed sum. */
  hasDecayed(): boolean {
    return this.affinities.any() || this.counts.any();
  }

  hasSeen(hash: string): boolean {
    return (this.seenIndex ?? seenIndexOf(this.base)).has(hash);
  }

  /** Insert a recent item in order; an identical one already there is kept instead. */
  addRecent(item: RecentItem): void {
    if (!this.recentCopied) {
      this.recent = [...this.recent];
      this.recentCopied = true;
    }
    if (insertSorted(this.recent, item, compareRecent) && this.recent.length > PROFILE_LIMITS.recent)
      this.recent.pop();
  }

  /** Record an applied event id; its hash must not be seen yet. */
  addSeen(entry: string): void {
    if (this.seenIndex === undefined) {
      this.seenIndex = takeSeenIndex(this.base);
      this.seen = [...this.seen];
    }
    if (!insertSorted(this.seen, entry, compareSeen)) return;
    countSeen(this.seenIndex, seenHash(entry), 1);
    if (this.seen.length > PROFILE_LIMITS.seen) countSeen(this.seenIndex, seenHash(this.seen.pop()!), -1);
  }

  /** Traits to change in place; truncated at the end of the event. */
  traits(): Profile['traits'] {
    if (!this.traitsCopied) {
      this.traitsNow = { ...this.traitsNow };
      this.traitsCopied = true;
    }
    this.traitsTouched = true;
    return this.traitsNow;
  }

  /** Suppressions to change in place; truncated at the end of the event. */
  suppressions(): Profile['suppressions'] {
    if (!this.suppressionsCopied) {
      this.suppressionsNow = { ...this.suppressionsNow };
      this.suppressionsCopied = true;
    }
    this.suppressionsTouched = true;
    return this.suppressionsNow;
  }

  /** Back to normal form after one event. */
  endEvent(): void {
    this.affinities.endEvent();
    this.counts.endEvent();
    this.exposures.endEvent();
    if (this.traitsTouched) {
      // The truncated copy is new, so still this draft's to change.
      this.traitsNow = truncateTraits(this.traitsNow, PROFILE_LIMITS.traits);
      this.traitsTouched = false;
    }
    if (this.suppressionsTouched) {
      this.suppressionsNow = truncateSuppressions(this.suppressionsNow, PROFILE_LIMITS.suppressions);
      this.suppressionsTouched = false;
    }
  }

  /** The new profile, in normal form, laid out canonically. */
  finish(): Profile {
    const p = assembleProfile(this, {
      affinities: this.affinities.finish(),
      counts: this.counts.finish(),
      recent: this.recent,
      traits: this.traitsNow,
      exposures: this.exposures.finish(),
      suppressions: this.suppressionsNow,
      seen: this.seen,
    });
    return markNormal(p, this.seenIndex);
  }
}

/** Insert `x` at its place in the sorted `xs`; false when an equal element is there already. */
function insertSorted<T>(xs: T[], x: T, compare: (a: T, b: T) => number): boolean {
  let i = 0;
  while (i < xs.length) {
    const c = compare(x, xs[i]!);
    if (c === 0) return false;
    if (c < 0) break;
    i++;
  }
  xs.splice(i, 0, x);
  return true;
}
