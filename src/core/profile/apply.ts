/**
 * Applying events to a profile: pure, idempotent by event id, and always
 * returning a truncated profile. A batch (`applyEvents`) gives the same
 * profile as its events applied one by one, with one copy: only the parts the
 * events touch are copied (see draft.ts), and a seen event id is found in
 * constant time (see normal.ts).
 *
 * Event weights (what one event adds to the decayed affinity of its item, and
 * of the item's category, brand and each of its first tags):
 *
 * | type        | weight | notes                                             |
 * |-------------|--------|---------------------------------------------------|
 * | purchase    | 5      | also a recent item                                |
 * | add_to_cart | 3      | also a recent item                                |
 * | click       | 1.5    | also a recent item                                |
 * | view        | 1      | also a recent item                                |
 * | search      | 0.5    | only when the event names an item                 |
 * | dwell       | 0.3    |                                                   |
 * | page        | 0.2    |                                                   |
 * | scroll      | 0.1    |                                                   |
 * | feedback    | 0 / 3  | thumbs up adds 3; "not interested" and thumbs down suppress (declared.ts) |
 * | form, consent, identify | 0 | declared data only (declared.ts)            |
 *
 * Every event except consent and identify also adds 1 to the decayed counter
 * of its type (`counts`). The event time used is `e.ts` clamped to
 * [0, opts.at.p]: a client clock in the future must not inflate weights or
 * suppressions.
 * @module
 */
import type { EventType, Hlc, Profile, TesseraEvent } from '../types.js';
import { attributeKeys } from './attribute-keys.js';
import {
  checkHalfLife,
  forwardWeight,
  gridLandmark,
  LANDMARK_SPAN_HALF_LIVES,
  MIN_STORED,
  reanchorFactor,
  rescaleFactor,
} from './decay.js';
import { applyDeclared } from './declared.js';
import { emptyProfile } from './empty.js';
import { cleanHlc, cleanNode, cleanTime } from './fold-clock.js';
import { keepState, stateFor, stateOwnedBy } from './fold-owner.js';
import { eventIdHash } from './fold-seen.js';
import { FoldState } from './fold-state.js';
import { affinityKey, countKey } from './interned-keys.js';
import { TEXT_LIMITS } from './limits.js';
import { isMarkedNormal } from './normal.js';
import { clampText } from './text.js';
import { inNormalForm, normalizeProfile } from './truncate.js';

export const EVENT_WEIGHTS: Readonly<Record<EventType, number>> = Object.freeze({
  purchase: 5,
  add_to_cart: 3,
  click: 1.5,
  view: 1,
  search: 0.5,
  dwell: 0.3,
  page: 0.2,
  scroll: 0.1,
  feedback: 0,
  form: 0,
  consent: 0,
  identify: 0,
});

/** Event types that put an entry in the recent-items list. */
const RECENT_TYPES: ReadonlySet<string> = new Set(['view', 'click', 'add_to_cart', 'purchase']);
/** Bookkeeping, not behaviour: not counted. */
const UNCOUNTED: ReadonlySet<string> = new Set(['consent', 'identify']);

/** What the fold does with an event of a known type, looked up once per event. */
interface TypeRule {
  counted: boolean;
  weight: number;
  recent: boolean;
}
const TYPE_RULES: ReadonlyMap<unknown, TypeRule> = new Map(
  Object.entries(EVENT_WEIGHTS).map(([type, weight]) => [
    type,
    { counted: !UNCOUNTED.has(type), weight, recent: RECENT_TYPES.has(type) },
  ]),
);

export interface ItemAttributes {
  category: string;
  brand: string;
  tags: string[];
}

export interface ApplyOptions {
  /** This node's id: the component the event's weight goes to. */
  node: string;
  /** This node's clock at apply time: orders recent items and registers. */
  at: Hlc;
  halfLifeMs: number;
  /** Catalog lookup, for category, brand and tag affinities. */
  item?: (id: string) => ItemAttributes | undefined;
}

/** `applyEvents` options: as for one event, but the node clock is read once per event, in order. */
export interface ApplyBatchOptions extends Omit<ApplyOptions, 'at'> {
  /** The node clock, or a function read once for each event (duplicates too, as a loop over applyEvent would). */
  at: Hlc | (() => Hlc);
}

/** What the declared-data handlers need; `draft` is the fold's state, theirs to change. */
export interface ApplyContext {
  draft: FoldState;
  node: string;
  at: Hlc;
  /** Event time, clamped to the node clock. */
  t: number;
  attributes(item: string): ItemAttributes | undefined;
  addItemAffinity(item: string, weight: number): void;
}

export function applyEvent(p: Profile, e: TesseraEvent, opts: ApplyOptions): Profile {
  // A batch of one, in an array kept for it rather than a new one per event (unless a catalog
  // callback applies events itself meanwhile: then that call gets an array of its own).
  if (oneBusy) return applyEvents(p, [e], opts);
  oneBusy = true;
  ONE[0] = e;
  try {
    return applyEvents(p, ONE, opts);
  } finally {
    ONE[0] = NO_EVENT; // no event kept alive by the array
    oneBusy = false;
  }
}

const NO_EVENT: TesseraEvent = Object.freeze({ id: '', type: 'page', ts: 0 }) as TesseraEvent;
const ONE: TesseraEvent[] = [NO_EVENT];
let oneBusy = false;

/**
 * Apply a visitor's events in order: the same profile as applying them one by
 * one with applyEvent, made with one snapshot at the end. Returns `p` itself
 * when nothing applies (erased, or every event seen already), a new profile
 * otherwise. A profile this function made carries on from the fold's state
 * (see fold-state.ts), so a visitor's stream of events never re-reads it.
 */
export function applyEvents(p: Profile, events: readonly TesseraEvent[], opts: ApplyBatchOptions): Profile {
  const clock = typeof opts.at === 'function' ? opts.at : undefined;
  const fixedAt = opts.at as Hlc;
  if (p.erasedAt !== undefined) {
    if (clock !== undefined) for (let i = 0; i < events.length; i++) clock();
    return p;
  }
  let state = stateOwnedBy(p);
  let ctx: BatchContext | undefined;
  try {
    for (const e of events) {
      const at = clock === undefined ? fixedAt : clock();
      const hash = eventIdHash(e.id);
      if (ctx === undefined) {
        // Nothing changes until an event applies: then the state is taken from `p`.
        state ??= stateFor(inNormal(p));
        if (state.seen.has(hash)) continue;
        ctx = takeContext(state, opts);
        // Detached while it changes: if an event throws, `p` no longer names a half-changed state.
        state.owner = undefined;
      } else if (ctx.state.seen.has(hash)) continue;
      ctx.apply(e, hash, at);
      ctx.state.endEvent();
    }
    if (ctx === undefined) return p;
    const next = ctx.state.snapshot();
    keepState(ctx.state);
    return next;
  } finally {
    if (ctx !== undefined) giveBack(ctx);
  }
}

/** `p` in normal form: as it is when this module made it or it already is, else normalized (once). */
function inNormal(p: Profile): Profile {
  return isMarkedNormal(p) || inNormalForm(p) ? p : normalizeProfile(p);
}

/**
 * The context of the batch being applied, kept between batches. Reusing it
 * saves an allocation per batch, and more: while an instance is alive, V8
 * keeps the hidden class the optimized fold was compiled against. With no
 * instance alive, a full garbage collection frees that class and throws the
 * optimized code of the whole fold away, to be compiled again.
 */
let spare: BatchContext | undefined;

function takeContext(state: FoldState, opts: ApplyBatchOptions): BatchContext {
  const ctx = spare ?? new BatchContext();
  spare = undefined; // a catalog callback that applies events itself gets a context of its own
  ctx.begin(state, opts);
  return ctx;
}

function giveBack(ctx: BatchContext): void {
  ctx.end();
  spare = ctx;
}

/** What an idle context points at. */
const IDLE_AT: Hlc = { p: 0, l: 0, n: '' };
const IDLE_STATE = new FoldState(emptyProfile(0));
const NO_OPTIONS: ApplyBatchOptions = { node: '', at: { p: 0, l: 0, n: '' }, halfLifeMs: 1 };

/** One batch's context, moved from event to event. */
class BatchContext implements ApplyContext {
  node = '';
  halfLifeMs = 1;
  /** The node clock as given for this event, and its clean copy once made (see `at`). */
  private rawAt: Hlc = IDLE_AT;
  private cleanAt: Hlc | undefined;
  t = 0;
  /** What one unit of weight adds at this event's time, once the sums are anchored for it (NaN: not yet). */
  private unit = Number.NaN;
  state: FoldState = IDLE_STATE;
  private opts: ApplyBatchOptions = NO_OPTIONS;

  begin(state: FoldState, opts: ApplyBatchOptions): void {
    this.halfLifeMs = checkHalfLife(opts.halfLifeMs);
    this.node = cleanNode(opts.node);
    this.state = state;
    this.opts = opts;
  }

  /** Let go of the batch's state and options (no profile is kept alive by a spare context). */
  end(): void {
    this.state = IDLE_STATE;
    this.opts = NO_OPTIONS;
    this.rawAt = IDLE_AT;
    this.cleanAt = undefined;
  }

  get draft(): FoldState {
    return this.state;
  }

  attributes(item: string): ItemAttributes | undefined {
    return this.opts.item?.(item);
  }

  addItemAffinity(item: string, weight: number): void {
    this.addAffinity(affinityKey('item', item), weight);
    const attrs = this.attributes(item);
    if (attrs === undefined) return;
    const keys = attributeKeys(attrs);
    for (let i = 0; i < keys.length; i++) this.addDecayed(this.state.affinities, keys[i]!, weight);
  }

  private addAffinity(key: string, weight: number): void {
    if (key !== '') this.addDecayed(this.state.affinities, key, weight);
  }

  /**
   * The node clock as stored (cleaned): made when an event stores it (a
   * recent item, a register), not for every event; the clock time alone is
   * cleaned up front.
   */
  get at(): Hlc {
    if (this.cleanAt === undefined) this.cleanAt = cleanHlc(this.rawAt);
    return this.cleanAt;
  }

  apply(e: TesseraEvent, hash: number, rawAt: Hlc): void {
    const { state } = this;
    this.rawAt = rawAt;
    this.cleanAt = undefined;
    const p = cleanTime(rawAt.p);
    this.t = Number.isFinite(e.ts) ? Math.max(0, Math.min(Math.floor(e.ts), p)) : p;
    this.unit = Number.NaN;
    if (isImpression(e)) {
      // A tile seen in a recommendation slot is an impression, not interest:
      // it feeds fatigue caps (`exposures`), never affinities or recent items.
      const key = clampText(`item:${e.item}`, TEXT_LIMITS.exposureKey);
      if (key !== 'item:') state.exposures.add(key, this.node, 1);
      state.seen.add(p, hash);
      return;
    }
    const rule = TYPE_RULES.get(e.type);
    if (rule !== undefined ? rule.counted : !UNCOUNTED.has(e.type))
      this.addDecayed(state.counts, countKey(e.type), 1);
    const weight = rule !== undefined ? rule.weight : (EVENT_WEIGHTS[e.type] ?? 0);
    if (typeof e.item === 'string' && e.item !== '' && weight > 0) {
      this.addItemAffinity(e.item, weight);
      const item = clampText(e.item, TEXT_LIMITS.item);
      if ((rule !== undefined ? rule.recent : RECENT_TYPES.has(e.type)) && item !== '')
        state.addRecent({ item, type: e.type, at: this.at });
    }
    applyDeclared(this, e);
    state.seen.add(p, hash);
  }

  private addDecayed(part: FoldState['counts'], key: string, weight: number): void {
    if (Number.isNaN(this.unit)) {
      // Anchoring once per event is enough: after it, the event's time is within reach of the landmark.
      anchorFor(this.state, this.t, this.halfLifeMs);
      this.unit = unitAt(this.t, this.state.landmark, this.halfLifeMs);
    }
    const amount = weight * this.unit;
    if (amount >= MIN_STORED) part.add(key, this.node, amount);
  }
}

/**
 * forwardWeight, remembered for the last few distinct event times: the same
 * times come back (a visitor's events replayed by another node, one event
 * seen by several profiles), and 2^x costs more than the lookup.
 */
const UNIT_SLOTS = 64; // 2^6: the slot is the hash's top 6 bits
const unitT = new Float64Array(UNIT_SLOTS).fill(Number.NaN);
const unitLandmark = new Float64Array(UNIT_SLOTS);
const unitHalfLife = new Float64Array(UNIT_SLOTS);
const unitValue = new Float64Array(UNIT_SLOTS);

function unitAt(t: number, landmark: number, halfLifeMs: number): number {
  // Fibonacci hashing of the time's low and high words: times a round number apart spread over the slots.
  const slot = Math.imul(t ^ (t / 4294967296), 0x9e3779b1) >>> 26;
  if (unitT[slot] === t && unitLandmark[slot] === landmark && unitHalfLife[slot] === halfLifeMs)
    return unitValue[slot]!;
  const unit = forwardWeight(t, landmark, halfLifeMs);
  unitT[slot] = t;
  unitLandmark[slot] = landmark;
  unitHalfLife[slot] = halfLifeMs;
  unitValue[slot] = unit;
  return unit;
}

/** A `view` the browser script reports for a tile inside a slot (`props.slot`). */
function isImpression(e: TesseraEvent): e is TesseraEvent & { item: string } {
  return (
    e.type === 'view' &&
    typeof e.item === 'string' &&
    e.item !== '' &&
    typeof e.props?.slot === 'string' &&
    e.props.slot !== ''
  );
}

/**
 * Make sure the profile's decayed sums are anchored where an event at `t`
 * can be added without overflow: the first sum sets a grid landmark, an event
 * far past the landmark moves it forward (rescaling by an exact power of
 * two), and a changed half-life re-anchors the old sums as their value at the
 * new landmark.
 */
function anchorFor(draft: FoldState, t: number, halfLifeMs: number): void {
  if (!draft.hasDecayed()) {
    draft.landmark = gridLandmark(t, halfLifeMs);
    draft.halfLifeMs = halfLifeMs;
    return;
  }
  const sameHalfLife = draft.halfLifeMs === halfLifeMs;
  if (sameHalfLife && t - draft.landmark <= LANDMARK_SPAN_HALF_LIVES * halfLifeMs) return;
  const target = { landmark: gridLandmark(t, halfLifeMs), halfLifeMs };
  const factor = sameHalfLife ? rescaleFactor(draft, target) : reanchorFactor(draft, t, target);
  draft.affinities.scale(factor);
  draft.counts.scale(factor);
  draft.landmark = target.landmark;
  draft.halfLifeMs = halfLifeMs;
}
