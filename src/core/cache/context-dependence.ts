/**
 * Which request context a page's content depended on, so that the variant
 * key (`c=`) and `Vary` name all of it and a cache can never hand one
 * request's page to a request it was not made for.
 *
 * Three readers of the context:
 * - segment rules (`{ "context": "device", ... }`): their result is the
 *   segment list, already in the key (`s=`); only the headers go to Vary;
 * - content-slot rules, also in experiment arms: the content chosen is not
 *   in the key otherwise, so the values they read go to `c=`;
 * - the cold-start lists of anonymous recommendations (recommend/
 *   context-lists.ts): the fields behind the kinds of lists the model has
 *   (`referrer:`, `country:`, `device:`, `hour:`, `utm_*:`) go to `c=`.
 *
 * Fields are found statically, from the rules' JSON and the model's list
 * names: a little more than one decision read, never less.
 *
 * The referrer is the one field with a value per referring page: a page
 * whose content used it is not shared at all (the caller makes it
 * `private`) rather than cached once per referrer; a page made without it
 * still says `Vary: Referer`, since a referred visitor may get other tiles.
 * @module
 */
import type { EngineSettings } from '../config.js';
import { CITY_HEADERS, COUNTRY_HEADERS, REGION_HEADERS, TZ_HEADERS } from '../context.js';
import { hourBucket } from '../recommend/context-lists.js';
import type { DecisionContext } from '../types.js';
import { memoPerPair } from './memo-helpers.js';

/**
 * Fields are rule-language context fields (`device`, `utm.source`, …) or
 * `hour`, the cold-start lists' bucket of the local hour.
 *
 * Walk rule JSON and collect the fields of every `{ "context": FIELD }` leaf, sorted. */
export function contextFieldsOfRules(...roots: unknown[]): string[] {
  const found = new Set<string>();
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) {
      for (const v of x) walk(v);
      return;
    }
    if (x === null || typeof x !== 'object') return;
    const o = x as Record<string, unknown>;
    if (typeof o.context === 'string') found.add(o.context);
    for (const v of Object.values(o)) walk(v);
  };
  for (const r of roots) walk(r);
  return [...found].sort();
}

/** List-name prefix in the model → the fields that choose such a list. */
const LIST_FIELDS: ReadonlyArray<[prefix: string, fields: readonly string[]]> = [
  ['utm_campaign:', ['utm.campaign']],
  ['utm_source:', ['utm.source']],
  ['referrer:', ['referrerHost']],
  ['country:', ['country']],
  ['device:', ['device']],
  ['hour:', ['hour']],
];
const listFieldMemo = new WeakMap<readonly string[], string[]>();

/** Fields the anonymous cold-start lists of a model read (its context list names, computed once per model). */
export function listFieldsOf(contextNames: readonly string[]): string[] {
  const hit = listFieldMemo.get(contextNames);
  if (hit) return hit;
  const found = new Set<string>();
  for (const name of contextNames) {
    for (const [prefix, fields] of LIST_FIELDS)
      if (name.startsWith(prefix)) for (const f of fields) found.add(f);
    if (name.includes('|hour:')) found.add('hour');
  }
  const out = [...found].sort();
  listFieldMemo.set(contextNames, out);
  return out;
}

function fieldValue(ctx: DecisionContext, field: string): string | undefined {
  if (field === 'hour') return hourBucket(ctx.localHour);
  const v = field.startsWith('utm.')
    ? ctx.utm[field.slice(4) as keyof DecisionContext['utm']]
    : (ctx as unknown as Record<string, unknown>)[field];
  if (v === undefined || v === null || v === '') return undefined;
  return String(v);
}

export interface ContextDependence {
  /** Field → value, for the variant key's `c=` (fields without a value are left out). */
  keys: Record<string, string>;
  /** Every field the page depended on, for Vary and for `tooVariedToShare`. */
  fields: string[];
}

/** The key values of `keyFields` and the union of every field read, for one request. */
export function contextDependence(
  ctx: DecisionContext,
  keyFields: readonly string[],
  otherFields: readonly string[],
): ContextDependence {
  const keys: Record<string, string> = {};
  for (const f of keyFields) {
    const v = fieldValue(ctx, f);
    if (v !== undefined) keys[f] = v;
  }
  return { keys, fields: fieldsRead(keyFields, otherFields) };
}

/**
 * The sorted union of both lists, made once per pair: the lists are the
 * compiled site's own arrays (or a memoized join of them, see decide.ts), so
 * a page finds it instead of building and sorting it again. Shared between
 * requests, so frozen.
 */
const fieldsRead = memoPerPair(
  (keyFields, otherFields) => Object.freeze([...new Set([...keyFields, ...otherFields])].sort()) as string[],
);

/** The content used this request's referrer: one page per referring URL, not worth sharing. */
export function tooVariedToShare(fields: readonly string[], ctx: DecisionContext): boolean {
  return (
    (ctx.referrerHost !== undefined && fields.includes('referrerHost')) ||
    (ctx.referrer !== undefined && fields.includes('referrer'))
  );
}

/** The request headers each field is read from; URL fields (path, utm) need none. */
function headersOf(field: string, geo: NonNullable<EngineSettings['geoHeaders']>): readonly string[] {
  const withCustom = (custom: string | undefined, names: readonly string[]) =>
    custom ? [custom, ...names] : names;
  switch (field) {
    case 'device':
      return ['User-Agent', 'Sec-CH-UA-Mobile'];
    case 'country':
      return withCustom(geo.country, COUNTRY_HEADERS);
    case 'region':
      return withCustom(geo.region, REGION_HEADERS);
    case 'city':
      return withCustom(geo.city, CITY_HEADERS);
    case 'timezone':
    case 'localHour':
    case 'hour':
      return withCustom(geo.timezone, TZ_HEADERS);
    case 'language':
      return ['Accept-Language'];
    case 'referrer':
    case 'referrerHost':
      return ['Referer'];
    case 'gpc':
      return ['Sec-GPC'];
    case 'dnt':
      return ['DNT'];
    default:
      return [];
  }
}

/** Vary header names for the fields a page depended on. */
export function varyHeadersOf(fields: readonly string[], geo: EngineSettings['geoHeaders'] = {}): string[] {
  const out: string[] = [];
  for (const f of fields) out.push(...headersOf(f, geo));
  return out;
}
