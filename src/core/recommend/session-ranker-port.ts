/**
 * The session ranker port: a model that re-orders a slot's neighbour-based
 * candidates from the visitor's recent clicks (GRU4Rec through
 * onnxruntime-web, an imported ONNX model, or the TypeScript forward pass).
 * `decide()` stays synchronous and Web-standard; the ranker is asynchronous
 * (wasm inference is), so it runs as one step after `decide()` on the page
 * path (session-rerank.ts), and the runtime supplies it: the core never
 * imports onnxruntime.
 * @module
 */
import type { RecommendedItem, TraceEntry } from '../types.js';
import type { Artifact } from './artifact-format.js';

/** One slot's ranking: `items` when the model ordered it, undefined when the neighbour list stands. */
export interface SlotRanking {
  items: RecommendedItem[] | undefined;
  /** The `recs:ranker` entry: which ranker ordered the slot, or why the neighbour list was served. */
  trace: TraceEntry;
}

/** A ranker bound to one model version. */
export interface SessionRanker {
  /** For the trace, e.g. `gru4rec-onnx`. */
  readonly name: string;
  /** The model version it ranks with, for the trace and `/health` (a canary's candidate ranks beside production). */
  readonly version?: string;
  /** How many neighbour-based candidates a slot hands the model (a longer `recommend()` list). */
  readonly candidates: number;
  /** `clicks`: the visitor's recent item ids, oldest first. */
  rank(clicks: readonly string[], candidates: RecommendedItem[], count: number): Promise<SlotRanking>;
}

/** What a runtime hands the engine (`EnginePorts.sessionRanker`). */
export interface SessionRankerProvider {
  /**
   * The ranker for a model, prepared off the request path after a swap
   * (session creation, wasm instantiation); undefined when the model has
   * nothing for it (no ONNX section). A rejection leaves the model served
   * by its neighbour lists.
   */
  forModel(artifact: Artifact): Promise<SessionRanker | undefined>;
}
