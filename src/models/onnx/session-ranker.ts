/**
 * The neural session ranker: re-orders the neighbour-based candidates of a
 * slot by the session model's scores (GRU4Rec through ONNX or the TypeScript
 * pass, behind `SessionScorer`). The candidates come from the engine's usual
 * ranking (rank.ts), so filters, stock and exclusions still hold; the model
 * only decides the order. When the model is over its latency budget
 * (latency-guard.ts), fails, or the session has no click the model knows,
 * the neighbour-based list is served and the trace entry says why.
 * @module
 */
import type { Artifact } from '../../core/recommend/artifact-format.js';
import type { RecommendedItem, TraceEntry } from '../../core/types.js';
import type { LatencyGuard } from './latency-guard.js';
import type { SessionScorer } from './scorer.js';

export interface SessionRankInput {
  artifact: Artifact;
  /** The visitor's recent item ids, oldest first (the last 10 are used). */
  clicks: readonly string[];
  /** The neighbour-based list, longer than the slot (the candidates). */
  candidates: RecommendedItem[];
  count: number;
  scorer: SessionScorer;
  guard: LatencyGuard;
  clock?: () => number;
  /** The model's name for the trace, e.g. `gru4rec-onnx`. */
  model: string;
}

export interface SessionRankResult {
  items: RecommendedItem[];
  /** False when `items` is the neighbour-based list (the fallback). */
  ranked: boolean;
  trace: TraceEntry;
}

const MAX_CLICKS = 10;

export async function rankWithSessionModel(input: SessionRankInput): Promise<SessionRankResult> {
  const { artifact: a, candidates, count, guard, model } = input;
  const clock = input.clock ?? (() => performance.now());
  const fallback = (why: string): SessionRankResult => ({
    items: candidates.slice(0, count),
    ranked: false,
    trace: { step: 'recs:ranker', detail: `neighbours: ${why}`, data: { ranker: 'neighbours', model, why } },
  });
  const clicks = input.clicks
    .map((id) => a.indexOf(id))
    .filter((i) => i >= 0)
    .slice(-MAX_CLICKS);
  if (clicks.length === 0) return fallback('no click the session model knows');
  const idx = candidates.map((c) => a.indexOf(c.item));
  const known = idx.filter((i) => i >= 0);
  if (known.length === 0) return fallback('no candidate the session model knows');
  if (!guard.allow())
    return fallback(`${model} over its latency budget (p99 > ${guard.budgetMs} ms), cooling down`);
  const t0 = clock();
  let scores: Float32Array;
  try {
    scores = await input.scorer.score(clicks, known);
  } catch (e) {
    return fallback(`${model} failed: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    guard.record(clock() - t0);
  }
  const ms = clock() - t0;
  const scoreOf = new Map<number, number>();
  for (let q = 0; q < known.length; q++) scoreOf.set(known[q]!, scores[q]!);
  const ranked = candidates
    .filter((_, q) => idx[q]! >= 0)
    .map((c, q) => ({ ...c, score: scoreOf.get(known[q]!)!, reason: c.reason }))
    .sort((x, y) => y.score - x.score)
    .slice(0, count);
  return {
    items: ranked,
    ranked: true,
    trace: {
      step: 'recs:ranker',
      detail: `${model}: ${known.length} candidates re-ranked in ${ms.toFixed(2)} ms`,
      data: { ranker: model, candidates: known.length, ms },
    },
  };
}
