/**
 * What each event type does to a profile's behavioural parts, shared by the
 * event-by-event fold (apply.ts) and the batch fast path (fold-batch.ts), so
 * the two cannot drift apart: its weight, whether it is a recent item, and
 * which affinity keys an item feeds.
 * @module
 */
import type { EventType, TesseraEvent } from '../types.js';
import type { ItemAttributes } from './apply.js';
import { affinityKey } from './interned-keys.js';
import { MAX_TAGS_PER_ITEM } from './limits.js';

type CatalogLookup = (item: string) => ItemAttributes | undefined;

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
export const RECENT_TYPES: ReadonlySet<string> = new Set(['view', 'click', 'add_to_cart', 'purchase']);
/** Bookkeeping, not behaviour: not counted. */
export const UNCOUNTED: ReadonlySet<string> = new Set(['consent', 'identify']);
/** Behaviour only: counted, weighted, no declared data (declared.ts ignores them). */
export const PLAIN_TYPES: ReadonlySet<string> = new Set([
  'purchase',
  'add_to_cart',
  'click',
  'view',
  'search',
  'dwell',
  'page',
  'scroll',
]);

/** A `view` the browser script reports for a tile inside a slot (`props.slot`). */
export function isImpression(e: TesseraEvent): e is TesseraEvent & { item: string } {
  return (
    e.type === 'view' &&
    typeof e.item === 'string' &&
    e.item !== '' &&
    typeof e.props?.slot === 'string' &&
    e.props.slot !== ''
  );
}

/**
 * The affinity keys an event on `item` feeds, in the order they are added:
 * the item, its category, brand and first distinct tags; keys that clean to
 * nothing left out. Fills `out` (cleared first) and returns it. The catalog
 * (the fold's options) is called as `catalog.item(item)`, once.
 */
export function itemKeys(item: string, catalog: { item?: CatalogLookup }, out: string[]): string[] {
  out.length = 0;
  const own = affinityKey('item', item);
  if (own !== '') out.push(own);
  const attrs = catalog.item?.(item);
  if (attrs === undefined) return out;
  // Keys of different kinds never collide; only tags can repeat.
  if (typeof attrs.category === 'string') push(out, affinityKey('category', attrs.category));
  if (typeof attrs.brand === 'string') push(out, affinityKey('brand', attrs.brand));
  const { tags } = attrs;
  if (!Array.isArray(tags) || tags.length === 0) return out;
  const firstTag = out.length;
  for (let i = 0; i < tags.length && i < MAX_TAGS_PER_ITEM; i++) {
    const tag: unknown = tags[i];
    if (typeof tag !== 'string') continue;
    const key = affinityKey('tag', tag);
    if (key === '') continue;
    let repeat = false;
    for (let j = firstTag; j < out.length; j++) if (out[j] === key) repeat = true;
    if (!repeat) out.push(key);
  }
  return out;
}

function push(out: string[], key: string): void {
  if (key !== '') out.push(key);
}
