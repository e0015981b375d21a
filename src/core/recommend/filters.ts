/**
 * Business and feedback filters, prepared once per request so each candidate
 * costs a few array reads: suppressed items and `exclude` are blocked up front
 * by index; suppressed categories become a short list of category indices.
 *
 * Suppressions are read from `profile.suppressions` directly (active while the
 * expiry is in the future), which costs O(suppressions) and no strings per
 * candidate.
 * @module
 */
import { exposureCount } from '../profile/read.js';
import type { Profile } from '../types.js';
import type { Artifact } from './artifact-format.js';
import type { CandidateTable } from './candidate-table.js';

const NONE: readonly number[] = [];

/**
 * Blocks suppressed items in `table` and returns the indices of suppressed
 * categories (an empty shared array when there are none).
 */
export function applySuppressions(
  profile: Profile,
  artifact: Artifact,
  table: CandidateTable,
  now: number,
): readonly number[] {
  let categories: number[] | undefined;
  for (const key in profile.suppressions) {
    if (!(profile.suppressions[key]! > now)) continue;
    if (key.startsWith('item:')) {
      const idx = artifact.indexOf(key.slice(5));
      if (idx >= 0) table.block(idx);
    } else if (key.startsWith('category:')) {
      const c = artifact.categoryIndex(key.slice(9));
      if (c < 0) continue;
      categories ??= [];
      categories.push(c);
    }
  }
  return categories ?? NONE;
}

export function applyExclude(exclude: ReadonlySet<string>, artifact: Artifact, table: CandidateTable): void {
  for (const id of exclude) {
    const idx = artifact.indexOf(id);
    if (idx >= 0) table.block(idx);
  }
}

/** In stock and not in a suppressed category. */
export function isEligible(artifact: Artifact, i: number, suppressedCategories: readonly number[]): boolean {
  if (!artifact.inStock(i)) return false;
  if (suppressedCategories.length === 0) return true;
  return !suppressedCategories.includes(artifact.categoryIndexOf(i));
}

/** Exposures after which an item shown without a click drops out (0 turns the cap off). */
export const DEFAULT_FATIGUE_CAP = 5;

/** What counts as "the visitor engaged with it", which lifts the fatigue cap. */
const ENGAGED = new Set(['click', 'add_to_cart', 'purchase']);

/**
 * Blocks items shown at least `cap` times (`exposures` key `item:<id>`)
 * that the visitor never clicked. Cost O(exposure keys), bounded by the profile.
 */
export function applyFatigue(profile: Profile, artifact: Artifact, table: CandidateTable, cap: number): void {
  if (!(cap > 0)) return;
  for (const key in profile.exposures) {
    if (!key.startsWith('item:')) continue;
    if (exposureCount(profile, key) < cap) continue;
    const item = key.slice(5);
    if (profile.recent.some((r) => r.item === item && ENGAGED.has(r.type))) continue;
    const idx = artifact.indexOf(item);
    if (idx >= 0) table.block(idx);
  }
}
