/**
 * Applying one event to a profile: pure, idempotent by event id, and always
 * returning a truncated profile.
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
import { addComponent } from './components.js';
import {
  checkHalfLife,
  forwardWeight,
  gridLandmark,
  hasDecayed,
  LANDMARK_SPAN_HALF_LIVES,
  MIN_STORED,
  reanchorFactor,
  rescaleFactor,
} from './decay.js';
import { applyDeclared } from './declared.js';
import { fnv1a32 } from './hash.js';
import { MAX_HLC_COUNTER, MAX_TAGS_PER_ITEM, MAX_TIME_MS, TEXT_LIMITS } from './limits.js';
import { clampNode, clampText } from './text.js';
import { normalizeProfile, seenEntry, seenHash } from './truncate.js';

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

/** What the declared-data handlers need; `draft` is a private copy they may change. */
export interface ApplyContext {
  draft: Profile;
  node: string;
  at: Hlc;
  /** Event time, clamped to the node clock. */
  t: number;
  attributes(item: string): ItemAttributes | undefined;
  addItemAffinity(item: string, weight: number): void;
}

export function applyEvent(p: Profile, e: TesseraEvent, opts: ApplyOptions): Profile {
  if (p.erasedAt !== undefined) return p;
  const hash = fnv1a32(String(e.id));
  if (p.seen.some((s) => seenHash(s) === hash)) return p;

  const halfLifeMs = checkHalfLife(opts.halfLifeMs);
  const node = clampNode(opts.node);
  const at = cleanHlc(opts.at);
  const t = Number.isFinite(e.ts) ? Math.max(0, Math.min(Math.floor(e.ts), at.p)) : at.p;
  const draft = structuredClone(p);

  const addDecayed = (part: 'affinities' | 'counts', key: string, weight: number) => {
    anchorFor(draft, t, halfLifeMs);
    const amount = weight * forwardWeight(t, draft.landmark, halfLifeMs);
    if (amount >= MIN_STORED) addComponent(draft[part], key, node, amount);
  };
  const attributes = (item: string) => opts.item?.(item);
  const ctx: ApplyContext = {
    draft,
    node,
    at,
    t,
    attributes,
    addItemAffinity(item, weight) {
      for (const key of affectedKeys(item, attributes(item))) addDecayed('affinities', key, weight);
    },
  };

  if (isImpression(e)) {
    // A tile seen in a recommendation slot is an impression, not interest:
    // it feeds fatigue caps (`exposures`), never affinities or recent items.
    const key = clampText(`item:${e.item}`, TEXT_LIMITS.exposureKey);
    if (key !== 'item:') addComponent(draft.exposures, key, node, 1);
    draft.seen.push(seenEntry(at.p, hash));
    return normalizeProfile(draft);
  }
  if (!UNCOUNTED.has(e.type)) addDecayed('counts', clampText(e.type, TEXT_LIMITS.eventType), 1);
  const weight = EVENT_WEIGHTS[e.type] ?? 0;
  if (typeof e.item === 'string' && e.item !== '' && weight > 0) {
    ctx.addItemAffinity(e.item, weight);
    const item = clampText(e.item, TEXT_LIMITS.item);
    if (RECENT_TYPES.has(e.type) && item !== '') draft.recent.push({ item, type: e.type, at });
  }
  applyDeclared(ctx, e);
  draft.seen.push(seenEntry(at.p, hash));
  return normalizeProfile(draft);
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

/** The node clock as stored: whole numbers within range, node id capped (numbers and ids count against the byte cap). */
function cleanHlc(at: Hlc): Hlc {
  const within = (x: number, max: number) =>
    Number.isFinite(x) ? Math.min(max, Math.max(0, Math.floor(x))) : 0;
  return { p: within(at.p, MAX_TIME_MS), l: within(at.l, MAX_HLC_COUNTER), n: clampNode(at.n) };
}

/** `item:<id>`, and from the catalog `category:`, `brand:` and the first tags. */
function affectedKeys(item: string, attrs: ItemAttributes | undefined): string[] {
  const keys = new Set<string>();
  const add = (kind: string, value: unknown) => {
    if (typeof value !== 'string') return;
    const v = clampText(value, kind === 'item' ? TEXT_LIMITS.item : TEXT_LIMITS.attribute);
    if (v !== '') keys.add(`${kind}:${v}`);
  };
  add('item', item);
  if (attrs !== undefined) {
    add('category', attrs.category);
    add('brand', attrs.brand);
    if (Array.isArray(attrs.tags)) for (const tag of attrs.tags.slice(0, MAX_TAGS_PER_ITEM)) add('tag', tag);
  }
  return [...keys];
}

/**
 * Make sure the profile's decayed sums are anchored where an event at `t`
 * can be added without overflow: the first sum sets a grid landmark, an event
 * far past the landmark moves it forward (rescaling by an exact power of
 * two), and a changed half-life re-anchors the old sums as their value at the
 * new landmark.
 */
function anchorFor(draft: Profile, t: number, halfLifeMs: number): void {
  if (!hasDecayed(draft)) {
    draft.landmark = gridLandmark(t, halfLifeMs);
    draft.halfLifeMs = halfLifeMs;
    return;
  }
  const sameHalfLife = draft.halfLifeMs === halfLifeMs;
  if (sameHalfLife && t - draft.landmark <= LANDMARK_SPAN_HALF_LIVES * halfLifeMs) return;
  const target = { landmark: gridLandmark(t, halfLifeMs), halfLifeMs };
  const factor = sameHalfLife ? rescaleFactor(draft, target) : reanchorFactor(draft, t, target);
  for (const part of [draft.affinities, draft.counts]) {
    for (const key in part) {
      const nodes = part[key]!;
      for (const n in nodes) nodes[n] = nodes[n]! * factor;
    }
  }
  draft.landmark = target.landmark;
  draft.halfLifeMs = halfLifeMs;
}
