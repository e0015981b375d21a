/**
 * Affinity and count keys, cleaned and capped once per distinct value and
 * then reused: the same string object for the same key on every event, so
 * the fold does not build (and V8 does not re-hash) `category:running` each
 * time. Bounded: a cache that fills up starts over.
 * @module
 */
import { TEXT_LIMITS } from './limits.js';
import { clampText } from './text.js';

const MAX_CACHED = 4096;

type Kind = 'item' | 'category' | 'brand' | 'tag';

const caches: Record<Kind, Map<string, string>> = {
  item: new Map(),
  category: new Map(),
  brand: new Map(),
  tag: new Map(),
};
const eventTypes = new Map<string, string>();

/** `<kind>:<value>` with the value cleaned and capped, or '' when nothing is left of it. */
export function affinityKey(kind: Kind, value: string): string {
  const cache = caches[kind];
  let key = cache.get(value);
  if (key === undefined) {
    const v = clampText(value, kind === 'item' ? TEXT_LIMITS.item : TEXT_LIMITS.attribute);
    key = v === '' ? '' : `${kind}:${v}`;
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(value, key);
  }
  return key;
}

/** An event type as a count key. */
export function countKey(type: string): string {
  let key = eventTypes.get(type);
  if (key === undefined) {
    key = clampText(type, TEXT_LIMITS.eventType);
    if (eventTypes.size >= MAX_CACHED) eventTypes.clear();
    eventTypes.set(type, key);
  }
  return key;
}
