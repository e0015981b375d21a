/**
 * Online ranking: the artifact plus the visitor's last clicks → a ranked slot.
 *
 * 1. Filters first, by index, once per call: suppressed items and categories
 *    (negative feedback), fatigue (shown `fatigueCap` times without a click),
 *    `exclude`, purchased and (default) seen items; stock and suppressed
 *    categories are checked per candidate (filters.ts).
 * 2. Candidates: the K neighbours of each recent item, weighted by event type
 *    and recency (sources.ts), plus the session model's successors of the
 *    current session's items (last 30 minutes); scores summed, the strongest
 *    contribution names the reason.
 * 3. Diversity: maximal marginal relevance over the best few dozen
 *    (diversity.ts), then a per-brand cap (picker.ts).
 * 4. Fill: the visitor's precomputed list, the first segment list, the most
 *    specific context list (context-lists.ts), the popular list.
 * 5. Exploration: a bounded share of slots picked, seeded by visitor and day,
 *    among good candidates just below the cut (exploration.ts).
 *
 * Cost is O((recent + session) × K) plus the precomputed lists walked;
 * nothing loops over the catalog, and the working set is a small hash table
 * (candidate-table.ts). Scores of list fills are 0: their order is the list's.
 * @module
 */
import type { Profile, RecommendedItem } from '../types.js';
import type { Artifact } from './artifact-format.js';
import { CandidateTable } from './candidate-table.js';
import { contextKeys, type ListContext } from './context-lists.js';
import { DEFAULT_DIVERSITY_LAMBDA, mmrReorder } from './diversity.js';
import { DEFAULT_EXPLORATION_SHARE, explorationSlots, pickSome, visitorDayRandom } from './exploration.js';
import { applyExclude, applyFatigue, applySuppressions, DEFAULT_FATIGUE_CAP, isEligible } from './filters.js';
import { DEFAULT_MAX_BRAND_SHARE, Picker } from './picker.js';
import {
  collectSessionSources,
  collectSources,
  NO_SOURCES,
  SESSION_WINDOW_MS,
  type Sources,
  sessionReason,
  sourceReason,
} from './sources.js';

export interface RecommendInput {
  artifact: Artifact;
  profile: Profile | undefined;
  count: number;
  now: number;
  halfLifeMs: number;
  /** The visitor's segment ids, in priority order. */
  segments: readonly string[];
  /** Items never to show, e.g. the item on the current page. */
  exclude?: ReadonlySet<string>;
  /** Drop items already in the visitor's recent list (default true). */
  filterSeen?: boolean;
  /** Largest share of the list one brand may take, 0..1 (default 0.4; 1 turns the cap off). */
  maxBrandShare?: number;
  /** The request context, for cold-start lists (country, device, hour, referrer, UTM). */
  context?: ListContext;
  /** Seeds exploration; also looks up a per-user list. Without it there is no exploration. */
  visitorId?: string;
  /** MMR λ: 1 is relevance only (default 0.75). */
  diversity?: number;
  /** Impressions without a click after which an item drops (default 5; 0 = off). */
  fatigueCap?: number;
  /** Largest share of slots given to exploration (default 0.1, i.e. 1 of 10). */
  explorationShare?: number;
  /** Weight of the session model's successors against item neighbours (default 1). */
  sessionWeight?: number;
  sessionWindowMs?: number;
}

interface Entry {
  item: number;
  score: number;
  reason: string;
}

const NO_CATEGORIES: readonly number[] = [];
/** Shared by every call: ranking is synchronous, so one table per isolate suffices. */
const table = new CandidateTable();
let topBuffer = new Int32Array(64);
let rowIds = new Int32Array(64);
let rowScores = new Float32Array(64);
const ALL_ELIGIBLE = () => true;

export function recommend(input: RecommendInput): RecommendedItem[] {
  const a = input.artifact;
  const count = Math.floor(input.count);
  if (!(count > 0) || a.itemCount === 0) return [];
  table.clear();
  const p = input.profile;
  const known = p !== undefined && p.erasedAt === undefined;
  const categories = known ? applySuppressions(p, a, table, input.now) : NO_CATEGORIES;
  if (known) applyFatigue(p, a, table, input.fatigueCap ?? DEFAULT_FATIGUE_CAP);
  if (input.exclude) applyExclude(input.exclude, a, table);
  const sources = known
    ? collectSources(p, a, table, input.now, input.halfLifeMs, input.filterSeen ?? true)
    : NO_SOURCES;
  const session =
    known && a.sessionNext
      ? collectSessionSources(p, a, input.now, input.sessionWindowMs ?? SESSION_WINDOW_MS)
      : NO_SOURCES;

  const explore = explorationSlots(
    count,
    input.explorationShare ?? DEFAULT_EXPLORATION_SHARE,
    input.visitorId,
  );
  const picker = new Picker(a, table, count - explore, input.maxBrandShare ?? DEFAULT_MAX_BRAND_SHARE);
  let scored: Entry[] = [];
  if (sources.count + session.count > 0) {
    const first = table.used;
    scoreCandidates(a, sources, session, input.sessionWeight ?? 1);
    const m = 2 * count + 8;
    scored = bestScored(a, sources, session, categories, m, first);
    mmrReorder(a, scored, count, input.diversity ?? DEFAULT_DIVERSITY_LAMBDA);
    for (const e of scored) {
      if (picker.full) break;
      picker.offer(e.item, e.score, e.reason);
    }
    // Fewer than m means every candidate was in `scored`; otherwise the rest may still help.
    if (!picker.full && scored.length === m) offerRest(a, sources, session, categories, picker, first);
  }
  const lists = fillLists(a, input, p);
  for (const l of lists) {
    if (picker.full) break;
    takeList(a, l.items, categories, picker, l.reason);
  }
  const out = picker.finish();
  if (explore > 0 && input.visitorId !== undefined) {
    const pool = explorationPool(a, scored, lists, categories, 3 * count);
    for (const e of pickSome(pool, explore, visitorDayRandom(input.visitorId, input.now))) {
      table.block(e.item);
      out.push({ item: a.idOf(e.item), score: e.score, reason: `${e.reason} (exploring)` });
    }
  }
  return out;
}

function ensureRowBuffers(k: number): void {
  if (rowIds.length >= k) return;
  rowIds = new Int32Array(k * 2);
  rowScores = new Float32Array(k * 2);
}

/**
 * Sums neighbour and successor scores. Stock and category are not checked
 * here but when a candidate reaches the top (bestScored): those reads land at
 * random places of per-item arrays, and checking only the few dozen finalists
 * keeps the cost from growing with the catalog's memory footprint.
 */
function scoreCandidates(a: Artifact, src: Sources, session: Sources, sessionWeight: number): void {
  const next = a.sessionNext;
  const sessionK = next?.k ?? 0;
  ensureRowBuffers(Math.max(a.neighbours.k, sessionK));
  table.reserve(src.count * a.neighbours.k + session.count * sessionK);
  for (let j = 0; j < src.count; j++) {
    const c = a.neighbours.read(src.item[j]!, rowIds, rowScores);
    table.accumulate(rowIds, rowScores, 0, c, src.weight[j]!, j, ALL_ELIGIBLE);
  }
  if (!next) return;
  for (let s = 0; s < session.count; s++) {
    const c = next.read(session.item[s]!, rowIds, rowScores);
    table.accumulate(
      rowIds,
      rowScores,
      0,
      c,
      sessionWeight * session.weight[s]!,
      src.count + s,
      ALL_ELIGIBLE,
    );
  }
}

/** Why a scored candidate is there: a new item says so; otherwise its strongest source. */
function reasonOf(a: Artifact, src: Sources, session: Sources, item: number, via: number): string {
  if (a.isNew(item)) return `new in ${a.categoryOf(item)}`;
  return via < src.count ? sourceReason(a, src, via) : sessionReason(a, session, via - src.count);
}

/** Higher score first; the lower item index breaks ties so results are deterministic. */
function better(x: number, y: number): boolean {
  const sx = table.score[x]!;
  const sy = table.score[y]!;
  return sx > sy || (sx === sy && table.keys[x]! < table.keys[y]!);
}

/**
 * The best `m` unblocked candidates (table slots from `first` on), best
 * first, by insertion into a small buffer: for a few hundred candidates that
 * is cheaper than sorting them all.
 */
function bestScored(
  a: Artifact,
  src: Sources,
  session: Sources,
  categories: readonly number[],
  m: number,
  first: number,
): Entry[] {
  if (topBuffer.length < m) topBuffer = new Int32Array(m * 2);
  const top = topBuffer;
  const { score, slots } = table; // stable: nothing is inserted while selecting
  let filled = 0;
  let floor = Number.NEGATIVE_INFINITY; // score of top[m - 1] once full
  for (let u = first; u < table.used; u++) {
    const slot = slots[u]!;
    if (score[slot]! < floor || table.blockedAt(slot)) continue;
    if (filled === m && !better(slot, top[m - 1]!)) continue;
    if (!isEligible(a, table.keys[slot]!, categories)) {
      table.blockSlot(slot);
      continue;
    }
    let pos = filled < m ? filled++ : m - 1;
    while (pos > 0 && better(slot, top[pos - 1]!)) {
      top[pos] = top[pos - 1]!;
      pos--;
    }
    top[pos] = slot;
    if (filled === m) floor = score[top[m - 1]!]!;
  }
  const out: Entry[] = new Array(filled);
  for (let r = 0; r < filled; r++) {
    const slot = top[r]!;
    const item = table.keys[slot]!;
    out[r] = { item, score: table.score[slot]!, reason: reasonOf(a, src, session, item, table.via[slot]!) };
  }
  return out;
}

/** Rare path: the best few were not enough (brand cap, small catalog); rank the rest fully. */
function offerRest(
  a: Artifact,
  src: Sources,
  session: Sources,
  categories: readonly number[],
  picker: Picker,
  first: number,
): void {
  const rest: number[] = [];
  for (let u = first; u < table.used; u++) {
    const slot = table.slots[u]!;
    if (!table.blockedAt(slot) && isEligible(a, table.keys[slot]!, categories)) rest.push(slot);
  }
  rest.sort((x, y) => (better(x, y) ? -1 : 1));
  for (const slot of rest) {
    if (picker.full) return;
    const item = table.keys[slot]!;
    picker.offer(item, table.score[slot]!, reasonOf(a, src, session, item, table.via[slot]!));
  }
}

interface ReasonedList {
  items: Int32Array;
  reason: string;
}

/** The precomputed lists that fill the slot, in order: user, segment, context, popular. */
function fillLists(a: Artifact, input: RecommendInput, p: Profile | undefined): ReasonedList[] {
  const out: ReasonedList[] = [];
  const userId = p?.userId?.v;
  const mine =
    (input.visitorId !== undefined ? a.userList(input.visitorId) : undefined) ??
    (userId !== undefined ? a.userList(userId) : undefined);
  if (mine && mine.length > 0) out.push({ items: mine, reason: 'picked for you' });
  for (const seg of input.segments) {
    const list = a.segmentList(seg);
    if (list === undefined || list.length === 0) continue;
    out.push({ items: list, reason: `popular with ${seg}` });
    break;
  }
  if (input.context && a.contextNames.length > 0) {
    for (const c of contextKeys(input.context)) {
      const list = a.contextList(c.key);
      if (list === undefined || list.length === 0) continue;
      out.push({ items: list, reason: c.reason });
      break;
    }
  }
  out.push({ items: a.popular, reason: 'popular now' });
  return out;
}

function takeList(
  a: Artifact,
  list: Int32Array,
  categories: readonly number[],
  picker: Picker,
  reason: string,
): void {
  for (let r = 0; r < list.length && !picker.full; r++) {
    const id = list[r]!;
    if (table.isBlocked(id)) continue;
    if (!isEligible(a, id, categories)) continue;
    picker.offer(id, 0, reason);
  }
}

/** Good candidates just below the cut: unpicked scored ones, then the next list items. */
function explorationPool(
  a: Artifact,
  scored: readonly Entry[],
  lists: readonly ReasonedList[],
  categories: readonly number[],
  size: number,
): Entry[] {
  const pool: Entry[] = [];
  const taken = new Set<number>();
  for (const e of scored) {
    if (pool.length >= size) return pool;
    if (table.isBlocked(e.item)) continue;
    pool.push(e);
    taken.add(e.item);
  }
  for (const l of lists) {
    for (let r = 0; r < l.items.length && pool.length < size; r++) {
      const id = l.items[r]!;
      if (taken.has(id) || table.isBlocked(id) || !isEligible(a, id, categories)) continue;
      pool.push({ item: id, score: 0, reason: l.reason });
      taken.add(id);
    }
  }
  return pool;
}
