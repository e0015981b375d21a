/**
 * The affinity keys an item's catalog attributes add weight to (category,
 * brand, then its first tags without repeats), worked out once per catalog
 * entry instead of once per event: the fold used to look each key up in the
 * interned-key maps and build a dedup array for the tags on every event.
 *
 * Remembered by the attributes object (a catalog reload brings new objects,
 * and the old ones' keys go with them), and checked against the fields they
 * were made from on every use, so an entry changed in place is worked out
 * again rather than trusted.
 * @module
 */
import type { ItemAttributes } from './apply.js';
import { affinityKey } from './interned-keys.js';
import { MAX_TAGS_PER_ITEM } from './limits.js';

interface AttributeKeys {
  category: unknown;
  brand: unknown;
  tags: unknown;
  /** The first MAX_TAGS_PER_ITEM tags as they were read. */
  tagsSeen: unknown[];
  keys: readonly string[];
}

const byAttributes = new WeakMap<ItemAttributes, AttributeKeys>();

/** Keys the item's attributes add weight to, in the order the fold adds them; none empty, none repeated. */
export function attributeKeys(attrs: ItemAttributes): readonly string[] {
  if (typeof attrs !== 'object' || attrs === null) return make(attrs).keys;
  const memo = byAttributes.get(attrs);
  if (memo !== undefined && unchanged(memo, attrs)) return memo.keys;
  const made = make(attrs);
  byAttributes.set(attrs, made);
  return made.keys;
}

function unchanged(memo: AttributeKeys, attrs: ItemAttributes): boolean {
  if (memo.category !== attrs.category || memo.brand !== attrs.brand || memo.tags !== attrs.tags)
    return false;
  const { tags } = attrs;
  if (!Array.isArray(tags)) return true;
  const seen = memo.tagsSeen;
  if (Math.min(tags.length, MAX_TAGS_PER_ITEM) !== seen.length) return false;
  for (let i = 0; i < seen.length; i++) if (tags[i] !== seen[i]) return false;
  return true;
}

function make(attrs: ItemAttributes): AttributeKeys {
  const keys: string[] = [];
  // Keys of different kinds never collide; only tags can repeat.
  if (typeof attrs.category === 'string') push(keys, affinityKey('category', attrs.category));
  if (typeof attrs.brand === 'string') push(keys, affinityKey('brand', attrs.brand));
  const { tags } = attrs;
  const tagsSeen: unknown[] = [];
  if (Array.isArray(tags)) {
    for (let i = 0; i < tags.length && i < MAX_TAGS_PER_ITEM; i++) {
      const tag: unknown = tags[i];
      tagsSeen.push(tag);
      if (typeof tag !== 'string') continue;
      const key = affinityKey('tag', tag);
      if (!keys.includes(key)) push(keys, key);
    }
  }
  return { category: attrs.category, brand: attrs.brand, tags, tagsSeen, keys };
}

function push(keys: string[], key: string): void {
  if (key !== '') keys.push(key);
}
