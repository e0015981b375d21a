/**
 * Evaluates the language-neutral vectors (rules.json, variant-keys.json,
 * profile-merges.json) and returns what the engine observed for each case,
 * in the shape of the case's `expect`. The Node test and the workerd test
 * Worker both import this one module, so the two runtimes cannot drift.
 *
 * Profiles are built the only way real ones are: events applied to
 * `emptyProfile` on a node, at a node clock. Observations go through the
 * public read functions only, never the profile's fields, so the vectors stay
 * valid when the profile's internal layout changes.
 *
 * Web-standard code only: it is bundled into a Worker.
 * @module
 */
import { type VariantKeyInput, variantKey } from '../../src/core/cache/variant-key.js';
import type { SegmentDef } from '../../src/core/config.js';
import {
  applyEvent,
  consentOf,
  emptyProfile,
  eraseProfile,
  eventCount,
  exposureCount,
  type ItemAttributes,
  isErased,
  isSuppressed,
  mergeProfiles,
  recentItems,
  topAffinities,
  traitOf,
} from '../../src/core/profile/index.js';
import { compileSegments } from '../../src/core/segments/index.js';
import type { AffinityKind, DecisionContext, EventType, Profile } from '../../src/core/types.js';

/** An event as `/collect` accepts it, plus the node clock it is applied at (`at`, default `ts`). */
export interface VectorEvent {
  id: string;
  type: EventType;
  ts: number;
  item?: string;
  props?: Record<string, unknown>;
  /** The node's physical clock when it applies the event (epoch ms); default `ts`. */
  at?: number;
  /** The HLC's logical counter; default 0. */
  l?: number;
}

/** One node's copy of a visitor's profile: its events in the order it applied them, or an erasure. */
export interface Replica {
  node: string;
  events?: VectorEvent[];
  /** An erasure tombstone at this time instead of events. */
  erasedAt?: number;
}

interface Common {
  description: string;
  /** Half-life of the decayed values (ms), for apply and for reads. */
  halfLifeMs: number;
  /** The time `emptyProfile` is created at. */
  t0: number;
  /** Item id → category, brand, tags (category, brand and tag affinities; `count` with a category). */
  catalog: Record<string, ItemAttributes>;
}

export interface RulesCase {
  name: string;
  segments: SegmentDef[];
  /** Fields that differ from the file's `context`. */
  context?: Partial<DecisionContext>;
  /** Absent: no profile (no consent, or a first visit): every profile leaf is false. */
  profile?: Replica;
  now: number;
  expect?: RulesObservation;
}

export interface RulesFile extends Common {
  /** The request context every case starts from (`now` comes from the case). */
  context: Omit<DecisionContext, 'now'>;
  cases: RulesCase[];
}

export type RulesObservation =
  | { segments: string[] }
  | { errorPath: string; error: string }
  /** Only when the profile-only cache path disagrees with a full evaluation (a bug). */
  | { segments: string[]; withProfileOnlyCache: string[] };

export interface VariantKeysFile {
  description: string;
  cases: Array<{ name: string; input: VariantKeyInput; expect?: string }>;
}

export interface MergeCase {
  name: string;
  replicas: Replica[];
  now: number;
  expect?: ProfileReads;
}

export interface MergesFile extends Common {
  cases: MergeCase[];
}

/** A profile as the engine reads it, values rounded to 1e-9. */
export interface ProfileReads {
  erased: boolean;
  /** `topAffinities` per kind, strongest first (at most TOP_N), without values that round to 0. */
  top: Record<AffinityKind, Array<[string, number]>>;
  /** `eventCount` of every type that occurs in the events, by type. */
  counts: Record<string, number>;
  /** `recentItems`, newest first, as `type:item`. */
  recent: string[];
  /** `traitOf` of every trait the events declare (identify traits, `survey.<question>`). */
  traits: Record<string, string | number | boolean | null>;
  consent: { personalization: boolean; analytics: boolean } | null;
  /** Keys the feedback events could suppress that `isSuppressed` says are suppressed at `now`. */
  suppressed: string[];
  /** `exposureCount` of every item seen as a slot impression. */
  exposures: Record<string, number>;
}

export interface MergeObservation {
  reads: ProfileReads;
  /** Merge orders (groupings, repeats) whose reads differ from the first: empty for a CRDT. */
  differingOrders: string[];
}

export const TOP_N = 5;
const KINDS: readonly AffinityKind[] = ['item', 'category', 'brand', 'tag'];

const round = (v: number) => Math.round(v * 1e9) / 1e9;

/** A replica's profile: its events applied in order to `emptyProfile(t0)` on its node. */
export function buildProfile(r: Replica, f: Pick<Common, 't0' | 'halfLifeMs' | 'catalog'>): Profile {
  if (r.erasedAt !== undefined) return eraseProfile(r.erasedAt);
  const item = (id: string) => (Object.hasOwn(f.catalog, id) ? f.catalog[id] : undefined);
  let p = emptyProfile(f.t0);
  for (const { at, l, ...event } of r.events ?? []) {
    p = applyEvent(p, event, {
      node: r.node,
      at: { p: at ?? event.ts, l: l ?? 0, n: r.node },
      halfLifeMs: f.halfLifeMs,
      item,
    });
  }
  return p;
}

export function runRules(f: RulesFile): RulesObservation[] {
  const itemCategory = (id: string) => (Object.hasOwn(f.catalog, id) ? f.catalog[id]!.category : undefined);
  return f.cases.map((c): RulesObservation => {
    let evaluator: ReturnType<typeof compileSegments>;
    try {
      evaluator = compileSegments(c.segments);
    } catch (e) {
      const error = (e as Error).message;
      return { errorPath: /^\[tessera\] \[rules\] (.*?): /.exec(error)?.[1] ?? '', error };
    }
    const input = {
      ctx: { ...f.context, ...c.context, now: c.now } as DecisionContext,
      profile: c.profile === undefined ? undefined : buildProfile(c.profile, f),
      now: c.now,
      halfLifeMs: f.halfLifeMs,
      itemCategory,
    };
    const segments = evaluator.evaluate(input);
    // The engine caches profile-only memberships per profile: that path must agree.
    const cached = evaluator.evaluate(input, evaluator.evaluateProfileOnly(input));
    return sameList(segments, cached) ? { segments } : { segments, withProfileOnlyCache: cached };
  });
}

export function runVariantKeys(f: VariantKeysFile): string[] {
  return f.cases.map((c) => variantKey(c.input));
}

export function readProfile(
  p: Profile,
  events: VectorEvent[],
  now: number,
  f: Pick<Common, 'halfLifeMs' | 'catalog'>,
): ProfileReads {
  const halfLifeMs = f.halfLifeMs;
  const top = {} as ProfileReads['top'];
  for (const kind of KINDS) {
    // A value that rounds to 0 has faded away: whether it is still stored is the profile's business.
    top[kind] = topAffinities(p, kind, now, halfLifeMs, TOP_N)
      .map(([k, v]): [string, number] => [k, round(v)])
      .filter(([, v]) => v > 0);
  }
  const counts: Record<string, number> = {};
  for (const type of [...new Set(events.map((e) => e.type))].sort()) {
    counts[type] = round(eventCount(p, type, now, halfLifeMs));
  }
  const traits: Record<string, string | number | boolean | null> = {};
  for (const name of [...new Set(events.flatMap(declaredTraits))].sort()) {
    traits[name] = traitOf(p, name) ?? null;
  }
  const candidates = events.flatMap((e) => suppressible(e, f.catalog));
  const suppressed = [...new Set(candidates)].sort().filter((k) => isSuppressed(p, k, now));
  const exposures: Record<string, number> = {};
  for (const key of [...new Set(events.flatMap(impression))].sort()) exposures[key] = exposureCount(p, key);
  return {
    erased: isErased(p),
    top,
    counts,
    recent: recentItems(p).map((r) => `${r.type}:${r.item}`),
    traits,
    consent: consentOf(p) ?? null,
    suppressed,
    exposures,
  };
}

/**
 * Merges the replicas in every order and grouping: each permutation folded
 * from the left and (for three) grouped to the right, the result merged with
 * itself, and with each replica again (already included, so it changes
 * nothing). The reads of the first left fold are the answer; any other order
 * that reads differently is named in `differingOrders`.
 */
export function runProfileMerges(f: MergesFile): MergeObservation[] {
  return f.cases.map((c) => {
    const profiles = c.replicas.map((r) => buildProfile(r, f));
    const events = c.replicas.flatMap((r) => r.events ?? []);
    const read = (p: Profile) => readProfile(p, events, c.now, f);
    const label = (i: number) => `${c.replicas[i]!.node}#${i}`;
    const orders: Array<[string, Profile]> = [];
    for (const perm of permutations(profiles.map((_, i) => i))) {
      const ps = perm.map((i) => profiles[i]!);
      orders.push([`(${perm.map(label).join(' ⊔ ')})`, ps.reduce(mergeProfiles)]);
      if (ps.length === 3) {
        const right = mergeProfiles(ps[0]!, mergeProfiles(ps[1]!, ps[2]!));
        orders.push([`${label(perm[0]!)} ⊔ (${label(perm[1]!)} ⊔ ${label(perm[2]!)})`, right]);
      }
    }
    const merged = orders[0]![1];
    orders.push(['m ⊔ m', mergeProfiles(merged, merged)]);
    profiles.forEach((p, i) => {
      orders.push([`m ⊔ ${label(i)}`, mergeProfiles(merged, p)]);
      orders.push([`${label(i)} ⊔ m`, mergeProfiles(p, merged)]);
    });
    const reads = read(merged);
    const expected = JSON.stringify(reads);
    const differingOrders = orders.filter(([, p]) => JSON.stringify(read(p)) !== expected).map(([l]) => l);
    return { reads, differingOrders };
  });
}

export type VectorKind = 'rules' | 'variant-keys' | 'profile-merges';

/** One entry point for the Worker's route: the observations of every case of a vector file. */
export function runVectors(kind: VectorKind, file: unknown): unknown[] {
  if (kind === 'rules') return runRules(file as RulesFile);
  if (kind === 'variant-keys') return runVariantKeys(file as VariantKeysFile);
  if (kind === 'profile-merges') return runProfileMerges(file as MergesFile);
  throw new Error(`[tessera] [vectors] unknown vector kind ${JSON.stringify(kind)}`);
}

function declaredTraits(e: VectorEvent): string[] {
  const props = e.props ?? {};
  if (e.type === 'identify' && isRecord(props.traits)) return Object.keys(props.traits);
  if (e.type === 'form' && isRecord(props.survey) && typeof props.survey.question === 'string')
    return [`survey.${props.survey.question}`];
  return [];
}

/** Every key a feedback event could name: its item, the item's category, and a `value` as either. */
function suppressible(e: VectorEvent, catalog: Common['catalog']): string[] {
  if (e.type !== 'feedback') return [];
  const keys: string[] = [];
  if (e.item !== undefined) {
    keys.push(`item:${e.item}`);
    if (Object.hasOwn(catalog, e.item)) keys.push(`category:${catalog[e.item]!.category}`);
  }
  const value = e.props?.value;
  if (typeof value === 'string') keys.push(`item:${value}`, `category:${value}`);
  return keys;
}

function impression(e: VectorEvent): string[] {
  return e.type === 'view' && e.item !== undefined && typeof e.props?.slot === 'string'
    ? [`item:${e.item}`]
    : [];
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) =>
    permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]),
  );
}
