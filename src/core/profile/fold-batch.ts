/**
 * The batch fast path of applyEvents: a batch of plain behavioural events
 * that provably evicts nothing is summed in flat local structures (one sum
 * per touched key, the new seen hashes, the new recent items) and written to
 * the fold's state once, with no per-event truncation.
 *
 * Why that is the same profile as the events one by one: truncating after
 * every event matters only when something is dropped mid-batch and would
 * come back (an affinity restarting from zero, an evicted event id counting
 * again). Here nothing is dropped:
 *
 * - components: every touched (key, node) is counted; a batch whose new
 *   elements do not fit the part's limit falls back. Values only grow (every
 *   amount added is at least MIN_STORED), so no element falls below the floor;
 *   each sum is added up in event order from the element's value, as the
 *   per-event path adds it.
 * - the landmark: a batch that would move it (an event past its span) or
 *   re-anchor it (another half-life) falls back; a profile with no decayed
 *   sum yet takes the grid landmark of each event until one is stored, as
 *   anchorFor does.
 * - seen and recent items keep the top N of a fixed total order; inserting
 *   into a top-N list one by one keeps the top N of everything inserted, in
 *   any order, so those are written with the per-event calls. The one way
 *   eviction shows is a repeated event id that was evicted before its repeat:
 *   a repeat met while the list could already have overflowed falls back.
 *
 * Anything else (identify, consent, form, feedback, impressions, a sum that
 * is not finite) falls back to the per-event path before anything changed.
 * @module
 */
import type { Hlc, Profile, TesseraEvent } from '../types.js';
import type { ApplyBatchOptions } from './apply.js';
import { checkHalfLife, forwardWeight, gridLandmark, LANDMARK_SPAN_HALF_LIVES, MIN_STORED } from './decay.js';
import { EVENT_WEIGHTS, isImpression, itemKeys, PLAIN_TYPES, RECENT_TYPES } from './event-kinds.js';
import { cleanHlc, cleanNode, eventTime } from './fold-clock.js';
import type { ComponentsPart } from './fold-components.js';
import { eventIdHash } from './fold-seen.js';
import type { FoldState } from './fold-state.js';
import { countKey } from './interned-keys.js';
import { PROFILE_LIMITS, TEXT_LIMITS } from './limits.js';
import { clampText } from './text.js';

/** One part's planned sums: a slot per touched key (the batch has one node). */
class PartPlan {
  readonly keys: string[] = [];
  readonly sums: number[] = [];
  /** The element's index in the part, or -1 for a new element. */
  readonly at: number[] = [];
  n = 0;
  private fresh = 0;
  private part: ComponentsPart | undefined;
  private node = '';

  reset(part: ComponentsPart, node: string): void {
    this.n = 0;
    this.fresh = 0;
    this.part = part;
    this.node = node;
  }

  /** Add `amount` to `key`; false when a new element would not fit. */
  add(key: string, amount: number): boolean {
    // A scan, not a map: a part holds at most 24 keys, interned (the same string object every time).
    const { keys } = this;
    for (let j = 0; j < this.n; j++) {
      if (keys[j] === key) {
        this.sums[j] = this.sums[j]! + amount;
        return true;
      }
    }
    const part = this.part!;
    const i = part.indexOf(key, this.node);
    if (i < 0 && ++this.fresh > part.room()) return false;
    const n = this.n++;
    keys[n] = key;
    this.sums[n] = i < 0 ? amount : part.valueAt(i) + amount;
    this.at[n] = i;
    return true;
  }

  allFinite(): boolean {
    for (let j = 0; j < this.n; j++) if (!Number.isFinite(this.sums[j]!)) return false;
    return true;
  }

  commit(): void {
    if (this.n > 0) this.part!.putAll(this.node, this.keys, this.sums, this.at, this.n);
    this.part = undefined;
    this.keys.length = 0;
  }
}

/** A batch's plan, kept between batches (a catalog callback that folds events itself gets another). */
class BatchPlan {
  readonly affinities = new PartPlan();
  readonly counts = new PartPlan();
  /** Applied events, in order: their node clock, hash and (for recent items) item and type. */
  readonly ats: Hlc[] = [];
  readonly hashes: number[] = [];
  readonly items: (string | undefined)[] = [];
  readonly types: string[] = [];
  readonly scratch: string[] = [];

  clear(): void {
    this.ats.length = 0;
    this.hashes.length = 0;
    this.items.length = 0;
    this.types.length = 0;
  }
}

let spare: BatchPlan | undefined;

/**
 * Fold `events` into `state` the fast way, if it applies: the new snapshot,
 * `undefined` when nothing applied (every event seen already), or `false`
 * when the batch must go event by event; then `state` is unchanged. `ats`:
 * the clock read once per event, or undefined for `opts.at` itself.
 */
export function foldPlainBatch(
  state: FoldState,
  events: readonly TesseraEvent[],
  ats: readonly Hlc[] | undefined,
  opts: ApplyBatchOptions,
): Profile | undefined | false {
  const plan = spare ?? new BatchPlan();
  spare = undefined;
  try {
    if (!planBatch(plan, state, events, ats, opts)) return false;
    if (plan.hashes.length === 0) return undefined;
    commit(plan, state);
    return state.snapshot();
  } finally {
    plan.clear();
    spare = plan;
  }
}

/** Landmark and half-life the batch leaves, when it sets them. */
let planLandmark = 0;
let planHalfLife = 0;
let planAnchored = false;

function planBatch(
  plan: BatchPlan,
  state: FoldState,
  events: readonly TesseraEvent[],
  ats: readonly Hlc[] | undefined,
  opts: ApplyBatchOptions,
): boolean {
  for (const e of events) if (!PLAIN_TYPES.has(e.type) || isImpression(e)) return false;
  const { seen } = state;
  const seenBefore = seen.size();
  const node = cleanNode(opts.node);
  plan.affinities.reset(state.affinities, node);
  plan.counts.reset(state.counts, node);
  let halfLifeMs = 0;
  let decayed = state.hasDecayed();
  let landmark = state.landmark;
  planAnchored = false;
  const fixedAt = ats === undefined ? cleanHlc(opts.at as Hlc) : undefined;
  for (let k = 0; k < events.length; k++) {
    const e = events[k]!;
    const hash = eventIdHash(e.id);
    if (seen.has(hash) || plan.hashes.includes(hash)) {
      // A repeat: the per-event path finds it too unless its entry was evicted, which needs more than `seen` holds.
      if (seenBefore + plan.hashes.length > PROFILE_LIMITS.seen) return false;
      continue;
    }
    if (halfLifeMs === 0) {
      halfLifeMs = checkHalfLife(opts.halfLifeMs);
      if (decayed && state.halfLifeMs !== halfLifeMs) return false; // a re-anchor
    }
    const at = fixedAt ?? cleanHlc(ats![k]!);
    const t = eventTime(e.ts, at);
    if (!decayed) {
      landmark = gridLandmark(t, halfLifeMs);
      planAnchored = true;
    } else if (!(t - landmark <= LANDMARK_SPAN_HALF_LIVES * halfLifeMs)) return false; // a landmark move
    const unit = forwardWeight(t, landmark, halfLifeMs);
    if (unit >= MIN_STORED) {
      if (!plan.counts.add(countKey(e.type), unit)) return false;
      decayed = true;
    }
    const weight = EVENT_WEIGHTS[e.type];
    let recent: string | undefined;
    if (typeof e.item === 'string' && e.item !== '' && weight > 0) {
      const amount = weight * unit;
      const keys = itemKeys(e.item, opts, plan.scratch);
      if (amount >= MIN_STORED) {
        for (let j = 0; j < keys.length; j++) if (!plan.affinities.add(keys[j]!, amount)) return false;
        if (keys.length > 0) decayed = true;
      }
      if (RECENT_TYPES.has(e.type)) {
        const item = clampText(e.item, TEXT_LIMITS.item);
        if (item !== '') recent = item;
      }
    }
    plan.ats.push(at);
    plan.hashes.push(hash);
    plan.items.push(recent);
    plan.types.push(e.type);
  }
  planLandmark = landmark;
  planHalfLife = halfLifeMs;
  return plan.affinities.allFinite() && plan.counts.allFinite();
}

function commit(plan: BatchPlan, state: FoldState): void {
  if (planAnchored) {
    state.landmark = planLandmark;
    state.halfLifeMs = planHalfLife;
  }
  plan.counts.commit();
  plan.affinities.commit();
  const { ats, hashes, items, types } = plan;
  for (let k = 0; k < hashes.length; k++) {
    const at = ats[k]!;
    const item = items[k];
    if (item !== undefined)
      state.addRecent({ item, type: types[k] as Profile['recent'][number]['type'], at });
    state.seen.add(at.p, hashes[k]!);
  }
}
