/**
 * The variant cache key: which page variant a request gets, from what the
 * decision used — never from who the visitor is. Two visitors in the same
 * segments and experiment arms get the same key, so a cache (the in-process
 * shell cache, or a CDN keyed on it) stores one page per variant instead of
 * one per visitor.
 *
 * Format, version 1 (fields joined by `|`, empty s/x/c fields left out):
 *
 *   v1|<path>|p=<0|1>|s=<segment>,<segment>|x=<experiment>:<arm>,...|c=<name>:<value>,...
 *   v1|/product/p-1|p=1|s=mobile,runners|x=hero:b
 *
 * - `p`: whether the decision used a profile (a personalized page has other
 *   slots than an anonymous one, e.g. recommendation holes instead of a
 *   popular list).
 * - `s`, `x`, `c` are sorted by UTF-16 code units and deduplicated, so the
 *   order the engine found them in does not matter.
 * - Names and values are percent-encoded (`encodeURIComponent`), so a `,`
 *   `:` `|` or `=` inside a segment id cannot make two variants collide. The
 *   (decoded) path is in its canonical encoded form (`encodePath`): `%`, `|`,
 *   `?`, `#`, spaces, control and non-ASCII characters percent-encoded, so
 *   the key is always a valid header value and two paths never share a key
 *   (`/a%0A` and `/a\n` differ).
 * - Keys longer than MAX_KEY_LENGTH keep `v1|<path>|` readable (for purging
 *   by path) and replace the rest by `h=<FNV-1a 64 hex>`; with a path longer
 *   than MAX_PATH_LENGTH the whole key is `v1|h=<hash>`.
 * @module
 */
import { encodePath } from '../http/path.js';
import { fnv1a64 } from './fnv.js';
import { sameStrings } from './memo-helpers.js';

export const MAX_KEY_LENGTH = 256;
export const MAX_PATH_LENGTH = 128;

export interface VariantKeyInput {
  path: string;
  segments: readonly string[];
  /** Experiment key → arm. */
  arms: Record<string, string>;
  personalized: boolean;
  /** Request context values the variant depends on, e.g. `{ country: 'DE' }`. */
  contextKeys?: Record<string, string>;
}

/** A key made before, and what it was made from (compared field by field: no key string per lookup). */
interface MadeKey {
  personalized: boolean;
  segments: readonly string[];
  arms: Readonly<Record<string, string>>;
  armCount: number;
  context: Readonly<Record<string, string>>;
  contextCount: number;
  key: string;
}

/** Per path, the keys made for it: a page's variants are few, and its key was built per request before. */
const madeKeys = new Map<string, MadeKey[]>();
const MAX_PATHS = 4096;
const MAX_KEYS_PER_PATH = 16;
const NO_CONTEXT: Record<string, string> = {};

/**
 * The key (format above). The same inputs give the same key; it is made
 * once per combination (encoding, sorting and joining cost about as much as
 * the rest of a cached page's decision) and found again by comparing inputs.
 */
export function variantKey(input: VariantKeyInput): string {
  const context = input.contextKeys ?? NO_CONTEXT;
  let made = madeKeys.get(input.path);
  if (made !== undefined) {
    for (const m of made) {
      if (
        m.personalized === input.personalized &&
        sameStrings(m.segments, input.segments) &&
        sameRecord(m.arms, m.armCount, input.arms) &&
        sameRecord(m.context, m.contextCount, context)
      )
        return m.key;
    }
  } else {
    if (madeKeys.size >= MAX_PATHS) madeKeys.clear();
    made = [];
    madeKeys.set(input.path, made);
  }
  const key = makeVariantKey(input);
  if (made.length >= MAX_KEYS_PER_PATH) made.length = 0;
  made.push({
    personalized: input.personalized,
    segments: [...input.segments],
    arms: { ...input.arms },
    armCount: Object.keys(input.arms).length,
    context: { ...context },
    contextCount: Object.keys(context).length,
    key,
  });
  return key;
}

/** The same own string values under the same names (`count`: how many `kept` has). */
function sameRecord(
  kept: Readonly<Record<string, string>>,
  count: number,
  r: Readonly<Record<string, string>>,
): boolean {
  let n = 0;
  for (const name in r) {
    if (!Object.hasOwn(r, name)) continue;
    if (!Object.hasOwn(kept, name) || kept[name] !== r[name]) return false;
    n++;
  }
  return n === count;
}

function makeVariantKey(input: VariantKeyInput): string {
  const path = encodePath(input.path);
  const fields = [`p=${input.personalized ? 1 : 0}`];
  const segments = sortedUnique(input.segments.map(encodeURIComponent));
  if (segments.length > 0) fields.push(`s=${segments.join(',')}`);
  const arms = pairs(input.arms);
  if (arms.length > 0) fields.push(`x=${arms.join(',')}`);
  const context = pairs(input.contextKeys ?? {});
  if (context.length > 0) fields.push(`c=${context.join(',')}`);

  const rest = fields.join('|');
  const key = `v1|${path}|${rest}`;
  if (key.length <= MAX_KEY_LENGTH) return key;
  if (path.length <= MAX_PATH_LENGTH) return `v1|${path}|h=${fnv1a64(rest)}`;
  return `v1|h=${fnv1a64(key)}`;
}

function pairs(record: Record<string, string>): string[] {
  return sortedUnique(
    Object.entries(record).map(([name, value]) => `${encodeURIComponent(name)}:${encodeURIComponent(value)}`),
  );
}

function sortedUnique(values: string[]): string[] {
  // Plain sort() compares UTF-16 code units: the same order in every runtime, no locale.
  return [...new Set(values)].sort();
}
