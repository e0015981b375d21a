/**
 * Online ranking: the artifact plus the visitor's last clicks → a ranked slot.
 *
 * 1. Sources: recent items, weighted by event type and recency (sources.ts).
 * 2. Candidates: the K neighbours of each source, scores summed; the best
 *    contributing source names the reason.
 * 3. Filters: purchased, seen (default on), suppressed items and categories,
 *    out of stock, `exclude` — by index, prepared once per call.
 * 4. Fill: top candidates, then the first of the visitor's segments that has
 *    a list ("popular with <segment>"), then the popular list ("popular now");
 *    a per-brand cap keeps the list varied (picker.ts).
 *
 * Cost is O(recent × K) plus the length of the precomputed lists walked;
 * nothing loops over the catalog, and the working set is a small hash table
 * (candidate-table.ts), not per-item arrays. Scores of list fills are 0:
 * their order is the list's.
 * @module
 */
import type { Profile, RecommendedItem } from '../types.js';
import type { Artifact } from './artifact-format.js';
import { CandidateTable } from './candidate-table.js';
import { applyExclude, applySuppressions, isEligible } from './filters.js';
import { DEFAULT_MAX_BRAND_SHARE, Picker } from './picker.js';
import { collectSources, NO_SOURCES, type Sources, sourceReason } from './sources.js';

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
}

const NO_CATEGORIES: readonly number[] = [];
/** Shared by every call: ranking is synchronous, so one table per isolate suffices. */
const table = new CandidateTable();
/** Per-source reason strings of the current call, built on first use. */
const reasonCache: Array<string | undefined> = [];
let topBuffer = new Int32Array(64);

export function recommend(input: RecommendInput): RecommendedItem[] {
  const a = input.artifact;
  const count = Math.floor(input.count);
  if (!(count > 0) || a.itemCount === 0) return [];
  table.clear();
  const p = input.profile;
  const known = p !== undefined && p.erasedAt === undefined;
  const categories = known ? applySuppressions(p, a, table, input.now) : NO_CATEGORIES;
  if (input.exclude) applyExclude(input.exclude, a, table);
  const sources = known
    ? collectSources(p, a, table, input.now, input.halfLifeMs, input.filterSeen ?? true)
    : NO_SOURCES;

  const picker = new Picker(a, table, count, input.maxBrandShare ?? DEFAULT_MAX_BRAND_SHARE);
  if (sources.count > 0) {
    const firstCandidate = table.used;
    scoreNeighbours(a, sources, categories);
    takeScored(a, sources, picker, count, firstCandidate);
  }
  if (!picker.full) {
    for (const seg of input.segments) {
      const list = a.segmentList(seg);
      if (list === undefined || list.length === 0) continue;
      takeList(a, list, categories, picker, `popular with ${seg}`);
      break;
    }
  }
  if (!picker.full) takeList(a, a.popular, categories, picker, 'popular now');
  return picker.finish();
}

function scoreNeighbours(a: Artifact, src: Sources, categories: readonly number[]): void {
  const { k, neighbourIds: ids, neighbourScores: scores } = a;
  const eligible = (id: number) => isEligible(a, id, categories);
  table.reserve(src.count * k);
  for (let j = 0; j < src.count; j++) {
    const base = src.item[j]! * k;
    table.accumulate(ids, scores, base, base + k, src.weight[j]!, j, eligible);
  }
}

/** Higher score first; the lower item index breaks ties so results are deterministic. */
function better(x: number, y: number): boolean {
  const sx = table.score[x]!;
  const sy = table.score[y]!;
  return sx > sy || (sx === sy && table.keys[x]! < table.keys[y]!);
}

/**
 * Offers the best candidates (table slots from `first` on). Keeps only the
 * top M (a little more than the slot, to leave room for the brand cap) by
 * insertion, which for a few hundred candidates is cheaper than sorting them
 * all; only when the cap exhausts those M does it sort the rest. No entries
 * are added meanwhile (offering blocks items already in the table), so slot
 * numbers stay valid.
 */
function takeScored(a: Artifact, src: Sources, picker: Picker, count: number, first: number): void {
  const m = Math.min(table.used - first, 2 * count + 4);
  if (topBuffer.length < m) topBuffer = new Int32Array(m * 2);
  const filled = selectTop(topBuffer, m, first);
  reasonCache.length = 0;
  for (let r = 0; r < filled; r++) {
    if (picker.full) return;
    offerScored(a, src, picker, topBuffer[r]!);
  }
  if (filled === m && !picker.full) offerRest(a, src, picker, first);
}

/** Fills `top` with the best `m` unblocked slots, best first; returns how many it found. */
function selectTop(top: Int32Array, m: number, first: number): number {
  const { score, keys, slots } = table; // stable: nothing is inserted while selecting
  let filled = 0;
  let floor = Number.NEGATIVE_INFINITY; // score of top[m - 1] once full
  for (let u = first; u < table.used; u++) {
    const slot = slots[u]!;
    const sc = score[slot]!;
    if (sc < floor || table.blockedAt(slot)) continue;
    if (filled === m && !better(slot, top[m - 1]!)) continue;
    let pos = filled < m ? filled++ : m - 1;
    while (pos > 0) {
      const prev = top[pos - 1]!;
      const ps = score[prev]!;
      if (ps > sc || (ps === sc && keys[prev]! < keys[slot]!)) break;
      top[pos] = prev;
      pos--;
    }
    top[pos] = slot;
    if (filled === m) floor = score[top[m - 1]!]!;
  }
  return filled;
}

/** Rare path: the top M were not enough (brand cap); rank the remaining candidates fully. */
function offerRest(a: Artifact, src: Sources, picker: Picker, first: number): void {
  const rest: number[] = [];
  for (let u = first; u < table.used; u++) if (!table.blockedAt(table.slots[u]!)) rest.push(table.slots[u]!);
  rest.sort((x, y) => (better(x, y) ? -1 : 1));
  for (const slot of rest) {
    if (picker.full) return;
    offerScored(a, src, picker, slot);
  }
}

function offerScored(a: Artifact, src: Sources, picker: Picker, slot: number): void {
  const via = table.via[slot]!;
  let reason = reasonCache[via];
  if (reason === undefined) {
    reason = sourceReason(a, src, via);
    reasonCache[via] = reason;
  }
  picker.offer(table.keys[slot]!, table.score[slot]!, reason);
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
