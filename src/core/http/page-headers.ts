/**
 * A page's headers: the content type, the security and cache headers, the
 * variant key and its segments, built once per variant and combination,
 * with their header lines (page-reply.ts adds Server-Timing per request).
 * @module
 */
import { cacheHeaders, varyHeadersOf } from '../cache/index.js';
import { sameStrings } from '../cache/memo-helpers.js';
import type { Decision } from '../types.js';
import type { EngineState } from './engine-state.js';
import type { PresetHeaders } from './page-reply.js';
import { replyHeaderLines } from './reply.js';
import { SHOP_SECURITY_HEADERS } from './security-headers.js';

/** Per engine's settings (the geo headers are part of Vary). */
const cacheHeaderMemos = new WeakMap<object, Map<string, Record<string, string>>>();

/**
 * Cache headers depend on whether the page was made for this visitor and on
 * the context fields it read (a handful of combinations per site and model):
 * computed once per combination.
 */
function pageCacheHeaders(
  perVisitor: boolean,
  fields: readonly string[],
  s: EngineState,
): Record<string, string> {
  let memo = cacheHeaderMemos.get(s.settings);
  if (!memo) {
    memo = new Map();
    cacheHeaderMemos.set(s.settings, memo);
  }
  const key = `${perVisitor ? 1 : 0}${fields.join(',')}`;
  const hit = memo.get(key);
  if (hit) return hit;
  const varyOn = varyHeadersOf(fields, s.settings.geoHeaders);
  const h: Record<string, string> = { ...cacheHeaders({ perVisitor, varyOn }) };
  if (memo.size > 256) memo.clear();
  memo.set(key, h);
  return h;
}

/** A variant's header set and what it was made of. */
interface VariantHeaderSet {
  perVisitor: boolean;
  contextFields: readonly string[];
  segments: readonly string[];
  preset: PresetHeaders;
}

/** Per engine's settings: the header sets of each variant key (a handful per key: per visitor or not, fields). */
const variantHeaderMemos = new WeakMap<object, Map<string, VariantHeaderSet[]>>();
const MAX_VARIANT_HEADER_SETS = 4096;

/**
 * Every page header (Server-Timing left empty, for the request): the content type, the security and
 * cache headers, the variant key and its segments. They depend on the
 * variant, on whether the page was made for this visitor and on the context
 * fields it read, so they are built once per combination (with their
 * checked header lines) instead of merged from four objects each time. Found by the
 * variant key, then compared field by field: no key string is built per
 * request.
 */
export function variantHeaders(
  perVisitor: boolean,
  decision: Decision,
  s: EngineState,
): Readonly<Record<string, string>> {
  return variantHeaderPreset(perVisitor, decision, s).headers;
}

/** The variant's header set and its header lines, checked once (Server-Timing's line left for the request). */
export function variantHeaderPreset(perVisitor: boolean, decision: Decision, s: EngineState): PresetHeaders {
  let memo = variantHeaderMemos.get(s.settings);
  if (!memo) {
    memo = new Map();
    variantHeaderMemos.set(s.settings, memo);
  }
  let sets = memo.get(decision.cacheKey);
  if (sets) {
    for (const set of sets) {
      if (
        set.perVisitor === perVisitor &&
        sameStrings(set.contextFields, decision.contextFields) &&
        sameStrings(set.segments, decision.segments)
      )
        return set.preset;
    }
  } else {
    if (memo.size >= MAX_VARIANT_HEADER_SETS) memo.clear();
    sets = [];
    memo.set(decision.cacheKey, sets);
  }
  const segments = decision.segments.join(',');
  const headers = htmlHeaders({
    ...pageCacheHeaders(perVisitor, decision.contextFields, s),
    'x-tessera-variant': decision.cacheKey,
    'accept-ch': 'Sec-CH-UA-Mobile, Sec-CH-UA-Platform',
  });
  if (segments) headers['x-tessera-segments'] = segments;
  // Filled per request; present here so the copy keeps the set's shape when it is filled.
  headers['server-timing'] = '';
  const { 'server-timing': _, ...fixed } = headers;
  const preset: PresetHeaders = {
    headers,
    lines: replyHeaderLines({ status: 200, headers: fixed, cookies: [], body: null }),
  };
  // Bounded per key too: the combinations per variant are few, a flood of them is not kept.
  if (sets.length >= 16) sets.length = 0;
  sets.push({
    perVisitor,
    contextFields: [...decision.contextFields],
    segments: [...decision.segments],
    preset,
  });
  return preset;
}

export function htmlHeaders(extra: Record<string, string>): Record<string, string> {
  return { 'content-type': 'text/html; charset=utf-8', ...SHOP_SECURITY_HEADERS, ...extra };
}
