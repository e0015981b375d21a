/**
 * Turns the visitor's recent items into weighted candidate sources: each
 * recent item the model knows contributes its neighbours, weighted by what the
 * visitor did (a cart add says more than a view) and by how recent it was
 * (position in the list and age, both decaying).
 *
 * Also blocks what the visitor must not be shown again: purchased items
 * always, and everything in `recent` when the seen filter is on.
 * @module
 */
import { THUMBS_UP_WEIGHT } from '../profile/index.js';
import type { EventType, Profile } from '../types.js';
import type { Artifact } from './artifact-format.js';
import type { CandidateTable } from './candidate-table.js';
import { likedItems } from './feedback-boost.js';

/** How much each event type says about interest; other types add nothing. */
export const EVENT_WEIGHTS: Readonly<Partial<Record<EventType, number>>> = {
  view: 1,
  click: 1.5,
  add_to_cart: 3,
  purchase: 2,
};

/** Each step back in the recent list keeps this share of the weight. */
export const POSITION_DECAY = 0.85;

/** Which action a reason names when one item was seen several ways: the strongest commitment. */
const REASON_RANK: Readonly<Partial<Record<EventType, number>>> = {
  view: 1,
  click: 2,
  add_to_cart: 3,
  purchase: 4,
};

/** Weighted sources, in reusable buffers (valid until the next `collectSources`). */
export interface Sources {
  count: number;
  item: Int32Array;
  weight: Float64Array;
  type: EventType[];
}

const shared: Sources = { count: 0, item: new Int32Array(64), weight: new Float64Array(64), type: [] };

function grow(n: number): void {
  if (shared.item.length >= n) return;
  const size = Math.max(n, shared.item.length * 2);
  shared.item = new Int32Array(size);
  shared.weight = new Float64Array(size);
}

/**
 * Collects sources from `profile.recent` (newest first) and blocks purchased
 * (and, with `filterSeen`, all recent) items in `table`. Cost: O(recent²)
 * in the worst case for merging repeats, with recent bounded by the profile.
 */
export function collectSources(
  profile: Profile,
  artifact: Artifact,
  table: CandidateTable,
  now: number,
  halfLifeMs: number,
  filterSeen: boolean,
): Sources {
  const recent = profile.recent;
  grow(recent.length);
  shared.count = 0;
  let positionWeight = 1;
  for (let j = 0; j < recent.length; j++, positionWeight *= POSITION_DECAY) {
    const r = recent[j]!;
    const idx = artifact.indexOf(r.item);
    if (idx < 0) continue;
    if (filterSeen || r.type === 'purchase') table.block(idx);
    const typeWeight = EVENT_WEIGHTS[r.type];
    if (typeWeight === undefined) continue;
    const age = Math.max(0, now - r.at.p);
    const timeWeight = halfLifeMs > 0 ? 2 ** (-age / halfLifeMs) : 1;
    const w = typeWeight * positionWeight * timeWeight;
    let s = 0;
    while (s < shared.count && shared.item[s] !== idx) s++;
    if (s === shared.count) {
      shared.item[s] = idx;
      shared.weight[s] = w;
      shared.type[s] = r.type;
      shared.count++;
    } else {
      shared.weight[s]! += w;
      if ((REASON_RANK[r.type] ?? 0) > (REASON_RANK[shared.type[s]!] ?? 0)) shared.type[s] = r.type;
    }
  }
  addLikedSources(profile, artifact, table, now, halfLifeMs);
  return shared;
}

/** A thumbs up counts like a strong view of the liked item: "more like this". */
const LIKE_WEIGHT = 2;

/**
 * Liked items (thumbs up: strong item affinity with no recent entry) become
 * sources too; otherwise a like would never reach the neighbour lists.
 */
function addLikedSources(
  profile: Profile,
  artifact: Artifact,
  table: CandidateTable,
  now: number,
  halfLifeMs: number,
): void {
  const liked = likedItems(profile, now, halfLifeMs);
  if (liked.size === 0) return;
  grow(shared.count + liked.size);
  for (const [id, affinityNow] of liked) {
    const idx = artifact.indexOf(id);
    if (idx < 0) continue;
    table.block(idx);
    shared.item[shared.count] = idx;
    shared.weight[shared.count] = (LIKE_WEIGHT * affinityNow) / THUMBS_UP_WEIGHT;
    shared.type[shared.count] = 'feedback';
    shared.count++;
  }
}

export const NO_SOURCES: Sources = {
  count: 0,
  item: new Int32Array(0),
  weight: new Float64Array(0),
  type: [],
};

/** "because you viewed X" — the verb follows the strongest thing the visitor did. */
export function sourceReason(artifact: Artifact, sources: Sources, s: number): string {
  const idx = sources.item[s]!;
  const name = artifact.titleOf(idx) ?? artifact.idOf(idx);
  switch (sources.type[s]) {
    case 'purchase':
      return `because you bought ${name}`;
    case 'add_to_cart':
      return `because you added ${name} to your cart`;
    case 'feedback':
      return `because you liked ${name}`;
    default:
      return `because you viewed ${name}`;
  }
}

/** The visitor's current session: recent items no older than this. */
export const SESSION_WINDOW_MS = 30 * 60_000;

const session: Sources = { count: 0, item: new Int32Array(32), weight: new Float64Array(32), type: [] };

/**
 * The current session as sources for the session model: recent items of the
 * last `windowMs`, newest weighted most (1, 1/2, 1/3, …, as sequential rules
 * weigh the distance to the next click). Repeats keep their newest position.
 */
export function collectSessionSources(
  profile: Profile,
  artifact: Artifact,
  now: number,
  windowMs: number,
): Sources {
  const recent = profile.recent;
  if (session.item.length < recent.length) {
    session.item = new Int32Array(recent.length * 2);
    session.weight = new Float64Array(recent.length * 2);
  }
  session.count = 0;
  let position = 0;
  for (const r of recent) {
    if (now - r.at.p > windowMs) break; // newest first: the rest are older still
    if (EVENT_WEIGHTS[r.type] === undefined) continue;
    const idx = artifact.indexOf(r.item);
    if (idx < 0) continue;
    let s = 0;
    while (s < session.count && session.item[s] !== idx) s++;
    if (s < session.count) continue;
    session.item[s] = idx;
    session.weight[s] = 1 / ++position;
    session.type[s] = r.type;
    session.count++;
  }
  return session;
}

/** "because you just viewed X": the session model's successors of X. */
export function sessionReason(artifact: Artifact, sources: Sources, s: number): string {
  const idx = sources.item[s]!;
  return `because you just viewed ${artifact.titleOf(idx) ?? artifact.idOf(idx)}`;
}
