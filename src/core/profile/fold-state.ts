/**
 * A profile as the fold keeps it between events: mutable, owned by the fold,
 * in a form that is cheap to change (see fold-components.ts and
 * fold-seen.ts). Readers never see it: they get immutable snapshots, plain
 * `Profile` objects whose parts are shared with the state until the state
 * next changes them (copy on write) or rebuilt when it did.
 *
 * One state follows a chain of versions of one visitor's profile: the newest
 * snapshot owns it (see fold-owner.ts), so the next batch of events carries
 * on from it without re-reading the profile. An older snapshot, or a profile
 * made elsewhere (decoded, merged), gets a state of its own, made from its
 * public form.
 *
 * After every event the state is brought back to normal form where the event
 * touched it, with the same result as normalizeProfile. Truncating after
 * every event, not once per batch, is what keeps a batch equal to applying
 * its events one by one: an element dropped in between starts again from zero.
 * @module
 */
import type { Profile, RecentItem } from '../types.js';
import { MIN_STORED } from './decay.js';
import { ComponentsPart, emptyOut, insertAt, insertedCopy } from './fold-components.js';
import { SeenPart } from './fold-seen.js';
import { PROFILE_LIMITS } from './limits.js';
import { compareRecent, truncateSuppressions, truncateTraits } from './truncate.js';

export class FoldState {
  landmark!: number;
  halfLifeMs!: number | undefined;
  consent!: Profile['consent'];
  userId!: Profile['userId'];
  readonly affinities: ComponentsPart;
  readonly counts: ComponentsPart;
  readonly exposures: ComponentsPart;
  readonly seen: SeenPart;
  /** The snapshot this state is the current version of; none while an event is being applied. */
  owner!: Profile | undefined;
  /** Where fold-owner.ts keeps this state. */
  slot = -1;
  /** The profile whose derived data (see derived.ts) `derived` holds: reader, value, reader, value… */
  derivedFor: Profile | undefined = undefined;
  private derived: unknown[] | undefined = undefined;
  private recent!: RecentItem[];
  private recentShared = true;
  private traitsNow!: Profile['traits'];
  private traitsShared = true;
  private traitsTouched = false;
  private suppressionsNow!: Profile['suppressions'];
  private suppressionsShared = true;
  private suppressionsTouched = false;

  /** `p` must be in normal form; its parts are shared, never changed. */
  constructor(p: Profile) {
    const L = PROFILE_LIMITS;
    this.affinities = new ComponentsPart(L.affinities, MIN_STORED);
    this.counts = new ComponentsPart(L.counts, MIN_STORED);
    this.exposures = new ComponentsPart(L.exposures, 1);
    this.seen = new SeenPart(L.seen);
    this.adopt(p);
  }

  /**
   * Start over as the state of `p` (in normal form), keeping this state's
   * arrays: for a state the fold let go of (see fold-owner.ts), so that a
   * new visitor's state allocates nothing but what its events add.
   */
  adopt(p: Profile): this {
    this.landmark = p.landmark;
    this.halfLifeMs = p.halfLifeMs;
    this.consent = p.consent;
    this.userId = p.userId;
    this.owner = p;
    this.slot = -1;
    this.dropDerived();
    this.recent = p.recent;
    this.recentShared = true;
    this.traitsNow = p.traits;
    this.traitsShared = true;
    this.traitsTouched = false;
    this.suppressionsNow = p.suppressions;
    this.suppressionsShared = true;
    this.suppressionsTouched = false;
    this.affinities.adopt(p.affinities);
    this.counts.adopt(p.counts);
    this.exposures.adopt(p.exposures);
    this.seen.adopt(p.seen);
    return this;
  }

  /** True when the profile holds any forward-decayed sum. */
  hasDecayed(): boolean {
    return this.affinities.any() || this.counts.any();
  }

  /** Insert a recent item in order; an identical one already there is kept instead. */
  addRecent(item: RecentItem): void {
    const { recent } = this;
    let i = 0;
    for (; i < recent.length; i++) {
      const c = compareRecent(item, recent[i]!);
      if (c === 0) return;
      if (c < 0) break;
    }
    if (i >= PROFILE_LIMITS.recent) return; // older than everything kept: dropped at once
    if (this.recentShared) {
      // The snapshot keeps the old array; the new one is made at its final size.
      this.recent = insertedCopy(recent, i, item, PROFILE_LIMITS.recent);
      this.recentShared = false;
      return;
    }
    insertAt(recent, i, item);
    if (recent.length > PROFILE_LIMITS.recent) recent.pop();
  }

  /** Traits to change in place; truncated at the end of the event. */
  traits(): Profile['traits'] {
    if (this.traitsShared) {
      this.traitsNow = { ...this.traitsNow };
      this.traitsShared = false;
    }
    this.traitsTouched = true;
    return this.traitsNow;
  }

  /** Suppressions to change in place; truncated at the end of the event. */
  suppressions(): Profile['suppressions'] {
    if (this.suppressionsShared) {
      this.suppressionsNow = { ...this.suppressionsNow };
      this.suppressionsShared = false;
    }
    this.suppressionsTouched = true;
    return this.suppressionsNow;
  }

  /** What `reader` derived from `derivedFor`, if it kept anything. */
  derivedBy(reader: object): unknown {
    const d = this.derived;
    if (d !== undefined) for (let i = 0; i < d.length; i += 2) if (d[i] === reader) return d[i + 1];
    return undefined;
  }

  /** Keep what `reader` derived from `p`, this state's owner; what was kept for an earlier owner goes. */
  keepDerived(p: Profile, reader: object, value: unknown): void {
    if (this.derivedFor !== p) {
      this.dropDerived();
      this.derivedFor = p;
    }
    this.derived ??= [];
    const d = this.derived;
    for (let i = 0; i < d.length; i += 2) {
      if (d[i] === reader) {
        d[i + 1] = value;
        return;
      }
    }
    d.push(reader, value);
  }

  /** Forget what readers derived (the array emptied, its storage kept: see emptyOut). */
  private dropDerived(): void {
    if (this.derivedFor === undefined) return;
    this.derivedFor = undefined;
    if (this.derived !== undefined) emptyOut(this.derived);
  }

  /** Back to normal form after one event. */
  endEvent(): void {
    this.affinities.endEvent();
    this.counts.endEvent();
    this.exposures.endEvent();
    if (this.traitsTouched) {
      // The truncated copy is new, so still this state's to change.
      this.traitsNow = truncateTraits(this.traitsNow, PROFILE_LIMITS.traits);
      this.traitsTouched = false;
    }
    if (this.suppressionsTouched) {
      this.suppressionsNow = truncateSuppressions(this.suppressionsNow, PROFILE_LIMITS.suppressions);
      this.suppressionsTouched = false;
    }
  }

  /**
   * The profile as it stands, in normal form and canonical field order (the
   * order assembleProfile gives). It becomes the owner of this state.
   */
  snapshot(): Profile {
    const affinities = this.affinities.publish();
    const counts = this.counts.publish();
    this.recentShared = true;
    this.traitsShared = true;
    this.suppressionsShared = true;
    const exposures = this.exposures.publish();
    const seen = this.seen.publish();
    let p: Profile;
    if (this.halfLifeMs !== undefined && this.consent === undefined && this.userId === undefined) {
      // The usual shape, as one literal: every field in-object, one hidden class for all of them.
      p = {
        v: 1,
        landmark: this.landmark,
        halfLifeMs: this.halfLifeMs,
        affinities,
        counts,
        recent: this.recent,
        traits: this.traitsNow,
        exposures,
        suppressions: this.suppressionsNow,
        seen,
      };
    } else {
      // Built field by field in one order, so these snapshots share hidden classes too.
      p = (
        this.halfLifeMs === undefined
          ? { v: 1, landmark: this.landmark, affinities, counts, recent: this.recent, traits: this.traitsNow }
          : {
              v: 1,
              landmark: this.landmark,
              halfLifeMs: this.halfLifeMs,
              affinities,
              counts,
              recent: this.recent,
              traits: this.traitsNow,
            }
      ) as Profile;
      if (this.consent !== undefined) p.consent = this.consent;
      if (this.userId !== undefined) p.userId = this.userId;
      p.exposures = exposures;
      p.suppressions = this.suppressionsNow;
      p.seen = seen;
    }
    this.owner = p;
    // What readers derived from the last owner does not hold for this one, and must not keep it alive.
    this.dropDerived();
    return p;
  }
}
