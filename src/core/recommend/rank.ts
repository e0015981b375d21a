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
 * nothing loops over the catalog. Scores of list fills are 0: their order is
 * the list's.
 * @module
 */
import type { Profile, RecommendedItem } from '../types.js';
import type { Artifact } from './artifact-format.js';
import { applyExclude, applySuppressions, isEligible } from './filters.js';
import { DEFAULT_MAX_BRAND_SHARE, Picker } from './picker.js';
import { type RankScratch, scratchFor } from './scratch.js';
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
/** Per-source reason strings of the current call, built on first use. */
const reasonCache: Array<string | undefined> = [];
let topBuffer = new Int32Array(64);

export function recommend(input: RecommendInput): RecommendedItem[] {
  const a = input.artifact;
  const count = Math.floor(input.count);
  if (!(count > 0) || a.itemCount === 0) return [];
  const scratch = scratchFor(a);
  scratch.begin();
  const p = input.profile;
  const known = p !== undefined && p.erasedAt === undefined;
  const categories = known ? applySuppressions(p, a, scratch, input.now) : NO_CATEGORIES;
  if (input.exclude) applyExclude(input.exclude, a, scratch);
  const sources = known
    ? collectSources(p, a, scratch, input.now, input.halfLifeMs, input.filterSeen ?? true)
    : NO_SOURCES;

  const picker = new Picker(a, scratch, count, input.maxBrandShare ?? DEFAULT_MAX_BRAND_SHARE);
  if (sources.count > 0) {
    scoreNeighbours(a, scratch, sources, categories);
    takeScored(a, scratch, sources, picker, count);
  }
  if (!picker.full) {
    for (const seg of input.segments) {
      const list = a.segmentList(seg);
      if (list === undefined || list.length === 0) continue;
      takeList(a, scratch, list, categories, picker, `popular with ${seg}`);
      break;
    }
  }
  if (!picker.full) takeList(a, scratch, a.popular, categories, picker, 'popular now');
  return picker.finish();
}

function scoreNeighbours(a: Artifact, s: RankScratch, src: Sources, categories: readonly number[]): void {
  const { k, neighbourIds: ids, neighbourScores: scores } = a;
  const score = s.score;
  for (let j = 0; j < src.count; j++) {
    const w = src.weight[j]!;
    const base = src.item[j]! * k;
    for (let t = base; t < base + k; t++) {
      const id = ids[t]!;
      if (id < 0) break; // padding is always at the end of a row
      if (s.isBlocked(id)) continue;
      if (s.touch(id) && !isEligible(a, id, categories)) {
        s.block(id);
        continue;
      }
      const c = w * scores[t]!;
      score[id]! += c;
      if (c > s.viaScore[id]!) {
        s.viaScore[id] = c;
        s.via[id] = j;
      }
    }
  }
}

/** Higher score first; the lower index breaks ties so results are deterministic. */
function better(score: Float64Array, x: number, y: number): boolean {
  const sx = score[x]!;
  const sy = score[y]!;
  return sx > sy || (sx === sy && x < y);
}

/**
 * Offers the best candidates. Keeps only the top M (a little more than the
 * slot, to leave room for the brand cap) by insertion, which for a few
 * hundred candidates is cheaper than sorting them all; only when the cap or
 * filters exhaust those M does it sort the rest.
 */
function takeScored(a: Artifact, s: RankScratch, src: Sources, picker: Picker, count: number): void {
  const score = s.score;
  const m = Math.min(s.touchedCount, 2 * count + 4);
  if (topBuffer.length < m) topBuffer = new Int32Array(m * 2);
  const top = topBuffer;
  let filled = 0;
  for (let t = 0; t < s.touchedCount; t++) {
    const id = s.touched[t]!;
    if (s.isBlocked(id)) continue;
    if (filled === m && !better(score, id, top[m - 1]!)) continue;
    let pos = filled < m ? filled++ : m - 1;
    while (pos > 0 && better(score, id, top[pos - 1]!)) {
      top[pos] = top[pos - 1]!;
      pos--;
    }
    top[pos] = id;
  }
  reasonCache.length = 0;
  reasonCache.length = src.count;
  for (let r = 0; r < filled && !picker.full; r++) offerScored(a, s, src, picker, top[r]!);
  if (picker.full || filled < m) return;
  // Rare path: the top M were not enough (brand cap); rank the remaining candidates fully.
  const rest: number[] = [];
  for (let t = 0; t < s.touchedCount; t++) if (!s.isBlocked(s.touched[t]!)) rest.push(s.touched[t]!);
  rest.sort((x, y) => (better(score, x, y) ? -1 : 1));
  for (const id of rest) {
    if (picker.full) break;
    offerScored(a, s, src, picker, id);
  }
}

function offerScored(a: Artifact, s: RankScratch, src: Sources, picker: Picker, id: number): void {
  const via = s.via[id]!;
  let reason = reasonCache[via];
  if (reason === undefined) {
    reason = sourceReason(a, src, via);
    reasonCache[via] = reason;
  }
  picker.offer(id, s.score[id]!, reason);
}

function takeList(
  a: Artifact,
  s: RankScratch,
  list: Int32Array,
  categories: readonly number[],
  picker: Picker,
  reason: string,
): void {
  for (let r = 0; r < list.length && !picker.full; r++) {
    const id = list[r]!;
    if (s.isBlocked(id)) continue;
    if (!isEligible(a, id, categories)) {
      s.block(id);
      continue;
    }
    picker.offer(id, 0, reason);
  }
}
