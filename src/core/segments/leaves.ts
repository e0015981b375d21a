/**
 * Compilers for the leaves of the rule language: request context, traits,
 * affinities, top affinity, event counts and recency in a window, segment
 * membership and consent. Each returns a closure plus what it reads, so the
 * engine knows which memberships it may cache per profile.
 * @module
 */
import { type ContextField, type Duration, durationMs } from '../config.js';
import { consentOf, traitOf } from '../profile/index.js';
import type { AffinityKind, DecisionContext } from '../types.js';
import {
  compileCompare,
  equalsIgnoreCase,
  isPresent,
  type NumericBounds,
  numericBoundsOf,
  type Scalar,
  type ScalarTest,
} from './compare.js';
import type { RuleInput } from './compile.js';
import { childPath, rulesError } from './path.js';
import { affinitySlot, affinityValue, strongestValueOf } from './profile-reads.js';

/** A compiled rule node and what it reads. */
export interface RuleNode {
  test: (input: RuleInput) => boolean;
  usesContext: boolean;
  usesProfile: boolean;
  /** Reads `now` against profile data (windows, decay): its answer can change without a new event. */
  usesClock: boolean;
  refs: string[];
}

type Json = Record<string, unknown>;

const CONTEXT_GETTERS: { [F in ContextField]: (ctx: DecisionContext) => Scalar } = {
  method: (c) => c.method,
  path: (c) => c.path,
  device: (c) => c.device,
  country: (c) => c.country,
  region: (c) => c.region,
  city: (c) => c.city,
  language: (c) => c.language,
  timezone: (c) => c.timezone,
  localHour: (c) => c.localHour,
  referrer: (c) => c.referrer,
  referrerHost: (c) => c.referrerHost,
  gpc: (c) => c.gpc,
  dnt: (c) => c.dnt,
  'utm.source': (c) => c.utm.source,
  'utm.medium': (c) => c.utm.medium,
  'utm.campaign': (c) => c.utm.campaign,
  'utm.term': (c) => c.utm.term,
  'utm.content': (c) => c.utm.content,
};

export const CONTEXT_FIELDS = Object.keys(CONTEXT_GETTERS) as ContextField[];
const AFFINITY_KINDS: ReadonlySet<string> = new Set<AffinityKind>(['item', 'category', 'brand', 'tag']);
/**
 * The event types that reach `profile.recent` (RECENT_TYPES in profile/apply.ts):
 * `count` and `recency` of any other type could never hold, so they are rejected.
 */
const RECENT_EVENT_TYPES: readonly string[] = ['view', 'click', 'add_to_cart', 'purchase'];
const DURATION = /^\d+(\.\d+)?[smhd]$/;

function leaf(test: RuleNode['test'], uses: Partial<Omit<RuleNode, 'test'>>): RuleNode {
  return { test, usesContext: false, usesProfile: false, usesClock: false, refs: [], ...uses };
}

function nonEmptyString(x: unknown, path: string, what: string): string {
  if (typeof x !== 'string' || x === '') throw rulesError(path, `expected ${what} as a non-empty string`);
  return x;
}

/** A Duration in ms; rejects what `durationMs` would misread. */
export function parseWindow(x: unknown, path: string): number {
  if (typeof x === 'number' && Number.isFinite(x) && x >= 0) return x;
  if (typeof x === 'string' && DURATION.test(x)) return durationMs(x as Duration);
  throw rulesError(
    path,
    `bad duration ${JSON.stringify(x)} (milliseconds, or a number with s, m, h or d: "7d")`,
  );
}

export function compileContext(rule: Json, path: string): RuleNode {
  const field = rule.context;
  if (typeof field !== 'string' || !Object.hasOwn(CONTEXT_GETTERS, field)) {
    throw rulesError(
      childPath(path, 'context'),
      `unknown context field ${JSON.stringify(field)} (known: ${CONTEXT_FIELDS.join(', ')})`,
    );
  }
  const get = CONTEXT_GETTERS[field as ContextField];
  const test = compileCompare(rule, path, isPresent);
  return leaf((input) => test(get(input.ctx)), { usesContext: true });
}

export function compileTrait(rule: Json, path: string): RuleNode {
  const name = nonEmptyString(rule.trait, childPath(path, 'trait'), 'a trait name');
  const test = compileCompare(rule, path, isPresent);
  return leaf(
    (input) => {
      // traitOf reads own properties only: a trait named "constructor" is not Object's.
      return input.profile !== undefined && test(traitOf(input.profile, name));
    },
    { usesProfile: true },
  );
}

function affinityKey(x: unknown, path: string): string {
  const key = nonEmptyString(x, path, 'an affinity key like "category:running"');
  const colon = key.indexOf(':');
  if (colon <= 0 || colon === key.length - 1 || !AFFINITY_KINDS.has(key.slice(0, colon))) {
    throw rulesError(
      path,
      `bad affinity key ${JSON.stringify(key)} (expected item:, category:, brand: or tag: and a value)`,
    );
  }
  return key;
}

const positive: ScalarTest = (v) => typeof v === 'number' && v > 0;

/** What a bare affinity leaf reads and how it compares, for an evaluator that reads many at once. */
export interface AffinityLeaf {
  key: string;
  /** `affinitySlot(key)`. */
  slot: number;
  test: ScalarTest;
  /** `test` as an interval, when it is one (`gte: 1.5`, or no comparison: `> 0`), to compare inline. */
  bounds: NumericBounds | undefined;
}

/** An affinity leaf without comparison holds for a positive value. */
const POSITIVE_BOUNDS: NumericBounds = Object.freeze({
  min: 0,
  minStrict: true,
  max: Number.POSITIVE_INFINITY,
  maxStrict: false,
});

// Keyed by the leaf's own closure: a `not` or a list makes a new closure, so
// only a rule that is exactly one affinity leaf is found here.
const affinityLeaves = new WeakMap<RuleNode['test'], AffinityLeaf>();

/** The affinity leaf behind a compiled test, when the test is exactly one. */
export function affinityLeafOf(test: RuleNode['test']): AffinityLeaf | undefined {
  return affinityLeaves.get(test);
}

export function compileAffinity(rule: Json, path: string): RuleNode {
  const key = affinityKey(rule.affinity, childPath(path, 'affinity'));
  const slot = affinitySlot(key);
  const test = compileCompare(rule, path, positive);
  const node = leaf(
    (input) =>
      input.profile !== undefined &&
      test(affinityValue(input.profile, slot, key, input.now, input.halfLifeMs)),
    { usesProfile: true, usesClock: true },
  );
  const bounds = test === positive ? POSITIVE_BOUNDS : numericBoundsOf(rule);
  affinityLeaves.set(node.test, { key, slot, test, bounds });
  return node;
}

export function compileTop(rule: Json, path: string): RuleNode {
  const kind = rule.top;
  if (typeof kind !== 'string' || !AFFINITY_KINDS.has(kind)) {
    throw rulesError(
      childPath(path, 'top'),
      `unknown affinity kind ${JSON.stringify(kind)} (item, category, brand or tag)`,
    );
  }
  const test = compileCompare(rule, path, isPresent);
  return leaf(
    (input) => {
      if (input.profile === undefined) return false;
      const top = strongestValueOf(input.profile, kind as AffinityKind, input.now, input.halfLifeMs);
      return top !== undefined && test(top);
    },
    // Decay is uniform, so the order of keys does not change with time; the
    // clock only matters if the profile module drops faded keys.
    { usesProfile: true, usesClock: true },
  );
}

function eventType(x: unknown, path: string): string {
  if (typeof x !== 'string' || !RECENT_EVENT_TYPES.includes(x)) {
    const known = RECENT_EVENT_TYPES.join(', ');
    throw rulesError(path, `event type ${JSON.stringify(x)} is not kept in recent items (known: ${known})`);
  }
  return x;
}

const atLeastOne: ScalarTest = (v) => typeof v === 'number' && v >= 1;

export function compileCount(rule: Json, path: string): RuleNode {
  const type = eventType(rule.count, childPath(path, 'count'));
  const windowMs = parseWindow(rule.within, childPath(path, 'within'));
  const category =
    rule.category === undefined
      ? undefined
      : nonEmptyString(rule.category, childPath(path, 'category'), 'a category').toLowerCase();
  const test = compileCompare(rule, path, atLeastOne);
  return leaf(
    (input) => {
      const p = input.profile;
      if (p === undefined) return false;
      const since = input.now - windowMs;
      const itemCategory = input.itemCategory;
      let n = 0;
      for (let i = 0; i < p.recent.length; i++) {
        const e = p.recent[i]!;
        if (e.type !== type || e.at.p < since) continue;
        if (category !== undefined) {
          // Without a catalog lookup the category of an item is unknown, so it does not count.
          const c = itemCategory?.(e.item);
          if (c === undefined || !equalsIgnoreCase(c, category)) continue;
        }
        n++;
      }
      return test(n);
    },
    { usesProfile: true, usesClock: true },
  );
}

export function compileRecency(rule: Json, path: string): RuleNode {
  const type = eventType(rule.recency, childPath(path, 'recency'));
  const windowMs = parseWindow(rule.within, childPath(path, 'within'));
  return leaf(
    (input) => {
      const p = input.profile;
      if (p === undefined) return false;
      const since = input.now - windowMs;
      for (let i = 0; i < p.recent.length; i++) {
        const e = p.recent[i]!;
        if (e.type === type && e.at.p >= since) return true;
      }
      return false;
    },
    { usesProfile: true, usesClock: true },
  );
}

export function compileSegmentRef(rule: Json, path: string): RuleNode {
  const id = nonEmptyString(rule.segment, childPath(path, 'segment'), 'a segment id');
  return leaf((input) => input.segments.has(id), { refs: [id] });
}

export function compileConsent(rule: Json, path: string): RuleNode {
  const which = rule.consent;
  if (which !== 'personalization' && which !== 'analytics') {
    throw rulesError(
      childPath(path, 'consent'),
      `unknown consent ${JSON.stringify(which)} (personalization or analytics)`,
    );
  }
  return leaf((input) => consentOf(input.profile)?.[which] === true, { usesProfile: true });
}
