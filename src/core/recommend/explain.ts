/**
 * Why a ranked list holds what it holds, for the decision trace: every
 * source (recent item, like, session step) with its weight and what it added
 * to each recommended item, and the filters that kept items out. The ranker
 * keeps only the strongest contribution per item (its reason), so this
 * re-reads the few neighbour rows involved; it runs only when a trace is
 * asked for, never on the page path.
 * @module
 */
import { exposureCount } from '../profile/read.js';
import type { Profile, RecommendedItem } from '../types.js';
import type { Artifact, NeighbourRows } from './artifact-format.js';
import { CandidateTable } from './candidate-table.js';
import { DEFAULT_FATIGUE_CAP } from './filters.js';
import type { RecommendInput } from './rank.js';
import { collectSessionSources, collectSources, SESSION_WINDOW_MS, type Sources } from './sources.js';

export interface SourceExplanation {
  /** The item the visitor acted on. */
  item: string;
  /** What they did with it (`feedback`: a thumbs up). */
  action: string;
  /** `neighbours`: items like it; `session`: what usually comes next in a session. */
  model: 'neighbours' | 'session';
  weight: number;
}

export interface ItemExplanation extends RecommendedItem {
  /** Each source's share of the score (weight × neighbour score); empty for list fills. */
  sources: Array<{ item: string; model: SourceExplanation['model']; contribution: number }>;
}

export interface FilterExplanation {
  /** Items and categories hidden by negative feedback, still in force. */
  suppressed: string[];
  /** Items shown `fatigueCap` times without a click. */
  fatigued: string[];
  /** Items the page excludes (the product being viewed). */
  excluded: string[];
  /** Recent items not shown again (purchases always; all with the seen filter). */
  seen: string[];
  /** Out-of-stock items and suppressed categories are also skipped per candidate. */
  perCandidate: string[];
}

export interface RecommendationExplanation {
  sources: SourceExplanation[];
  filters: FilterExplanation;
  items: ItemExplanation[];
}

function copySources(a: Artifact, src: Sources, model: SourceExplanation['model']): SourceExplanation[] {
  const out: SourceExplanation[] = [];
  for (let s = 0; s < src.count; s++)
    out.push({ item: a.idOf(src.item[s]!), action: src.type[s] ?? 'view', model, weight: src.weight[s]! });
  return out;
}

function filtersOf(input: RecommendInput, p: Profile | undefined): FilterExplanation {
  const now = input.now;
  const suppressed = p ? Object.keys(p.suppressions).filter((k) => p.suppressions[k]! > now) : [];
  const cap = input.fatigueCap ?? DEFAULT_FATIGUE_CAP;
  const engaged = new Set(['click', 'add_to_cart', 'purchase']);
  const fatigued: string[] = [];
  if (p && cap > 0)
    for (const key in p.exposures) {
      if (!key.startsWith('item:') || exposureCount(p, key) < cap) continue;
      const item = key.slice(5);
      if (!p.recent.some((r) => r.item === item && engaged.has(r.type))) fatigued.push(item);
    }
  const filterSeen = input.filterSeen ?? true;
  const seen = p
    ? [...new Set(p.recent.filter((r) => filterSeen || r.type === 'purchase').map((r) => r.item))]
    : [];
  return {
    suppressed,
    fatigued,
    excluded: input.exclude ? [...input.exclude] : [],
    seen,
    perCandidate: ['in stock', 'category not suppressed', 'brand share cap'],
  };
}

/** How much `source` adds to `target` through one model's rows (0 when not a neighbour). */
function contribution(rows: NeighbourRows, source: number, target: number, buf: Buffers): number {
  const n = rows.read(source, buf.ids(rows.k), buf.scores(rows.k));
  for (let i = 0; i < n; i++) if (buf.idArr[i] === target) return buf.scoreArr[i]!;
  return 0;
}

class Buffers {
  idArr = new Int32Array(64);
  scoreArr = new Float32Array(64);
  ids(k: number): Int32Array {
    if (this.idArr.length < k) this.idArr = new Int32Array(k);
    return this.idArr;
  }
  scores(k: number): Float32Array {
    if (this.scoreArr.length < k) this.scoreArr = new Float32Array(k);
    return this.scoreArr;
  }
}

/** Explains `items`, the list `recommend(input)` returned. */
export function explainRecommendations(
  input: RecommendInput,
  items: readonly RecommendedItem[],
): RecommendationExplanation {
  const a = input.artifact;
  const p = input.profile;
  const known = p !== undefined && p.erasedAt === undefined;
  // A table of its own: the ranker's shared one is not touched.
  const scratch = new CandidateTable(64);
  const neighbourSources = known
    ? copySources(
        a,
        collectSources(p, a, scratch, input.now, input.halfLifeMs, input.filterSeen ?? true),
        'neighbours',
      )
    : [];
  const sessionSources =
    known && a.sessionNext
      ? copySources(
          a,
          collectSessionSources(p, a, input.now, input.sessionWindowMs ?? SESSION_WINDOW_MS),
          'session',
        )
      : [];
  const sources = [...neighbourSources, ...sessionSources];
  const buf = new Buffers();
  const sessionWeight = input.sessionWeight ?? 1;
  const explained = items.map((r): ItemExplanation => {
    const target = a.indexOf(r.item);
    const parts: ItemExplanation['sources'] = [];
    if (target >= 0 && r.score !== 0)
      for (const s of sources) {
        const rows = s.model === 'session' ? a.sessionNext : a.neighbours;
        if (!rows) continue;
        const score = contribution(rows, a.indexOf(s.item), target, buf);
        if (score === 0) continue;
        const w = s.model === 'session' ? sessionWeight * s.weight : s.weight;
        parts.push({ item: s.item, model: s.model, contribution: w * score });
      }
    parts.sort((x, y) => y.contribution - x.contribution);
    return { item: r.item, score: r.score, reason: r.reason, sources: parts };
  });
  return { sources, filters: filtersOf(input, known ? p : undefined), items: explained };
}
