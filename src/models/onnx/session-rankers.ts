/**
 * The engine's session ranker port (core/recommend/session-ranker-port.ts)
 * over an ONNX session model: a model whose artifact carries the ONNX
 * section (`tessera train --algorithm gru4rec`, `tessera model import
 * --onnx`) gets a scorer (an onnxruntime session created once per model),
 * its own latency guard, and `rankWithSessionModel` per slot. onnxruntime
 * is injected, so the same provider serves Node (`loadOrtNode`) and the
 * Worker (`loadOrtWorker(wasm)`); the TypeScript path (ts-scorer.ts) is a
 * `scorer` instead, and needs no onnxruntime.
 * @module
 */
import type { Artifact } from '../../core/recommend/artifact-format.js';
import type { SessionRanker, SessionRankerProvider } from '../../core/recommend/session-ranker-port.js';
import { checkOnnxContract, onnxError } from './contract.js';
import { LatencyGuard } from './latency-guard.js';
import { createOnnxScorer, type OrtLike, type SessionScorer } from './scorer.js';
import { rankWithSessionModel } from './session-ranker.js';

/** The latency budget of one ranking call (p99, ms). */
export const DEFAULT_RANKER_BUDGET_MS = 2;
/** Candidates a slot hands the model: the neighbour-based list this long. */
export const DEFAULT_RANKER_CANDIDATES = 100;

export interface OnnxSessionRankerOptions {
  /** Loads onnxruntime once (on the first model with an ONNX section); not needed with `scorer`. */
  ort?: () => Promise<OrtLike>;
  budgetMs?: number;
  candidates?: number;
  /** Another scorer for the model's bytes (e.g. a TypeScript forward pass); default: onnxruntime. */
  scorer?: (bytes: Uint8Array, artifact: Artifact) => Promise<SessionScorer>;
  /** The name in the trace (default `gru4rec-onnx`). */
  name?: string;
}

export function onnxSessionRankers(o: OnnxSessionRankerOptions): SessionRankerProvider {
  const name = o.name ?? 'gru4rec-onnx';
  const candidates = o.candidates ?? DEFAULT_RANKER_CANDIDATES;
  const budgetMs = o.budgetMs ?? DEFAULT_RANKER_BUDGET_MS;
  return {
    async forModel(artifact): Promise<SessionRanker | undefined> {
      const bytes = artifact.sessionOnnx;
      if (!bytes || bytes.byteLength === 0) return undefined;
      if (!o.scorer && !o.ort) throw onnxError('no scorer: give onnxruntime (`ort`) or a `scorer`');
      const scorer = o.scorer
        ? await o.scorer(bytes, artifact)
        : await createOnnxScorer(
            await o.ort!(),
            bytes,
            checkOnnxContract(bytes, artifact.itemCount),
            artifact.itemCount,
          );
      const guard = new LatencyGuard({ budgetMs });
      return {
        name,
        version: artifact.version,
        candidates,
        async rank(clicks, list, count) {
          const r = await rankWithSessionModel({
            artifact,
            clicks,
            candidates: list,
            count,
            scorer,
            guard,
            model: name,
          });
          return { items: r.ranked ? r.items : undefined, trace: r.trace };
        },
      };
    },
  };
}
