/**
 * Everything a request handler needs, built once by `createEngine`.
 * @module
 */
import type { HTMLRewriterFactory, Shell, TileRenderer } from '../assemble/index.js';
import type { LruCache } from '../cache/index.js';
import type { EngineSettings } from '../config.js';
import type { RequestLike } from '../context.js';
import type { CompiledSite } from '../decide.js';
import type { DecisionMemo } from '../decision-memo.js';
import type { BatchLimits } from '../events.js';
import type { ExperimentRuntime } from '../experiments/runtime.js';
import type { KeyRing, VisitorIdSource } from '../identity/index.js';
import type { LinkedDevices } from '../linked-devices.js';
import type { LossAccounting } from '../loss-accounting.js';
import type { ModelRouter } from '../model-router.js';
import type { EngineObserver } from '../observer.js';
import type { EventLog, Logger, ProfileStore } from '../ports.js';
import type { ProfileService } from '../profile-service.js';
import type { Artifact } from '../recommend/index.js';
import type { SessionRanker, SessionRankerProvider } from '../recommend/session-ranker-port.js';

/** A page as the origin (the site behind Tessera) renders it, before personalization. */
export interface OriginPage {
  status: number;
  html: string;
  /** Extra response headers from the origin. */
  headers?: Record<string, string>;
}

/** Anything the origin answers that is not an HTML page (assets, redirects): passed through untouched. */
export interface OriginPassthrough {
  status: number;
  headers: Record<string, string>;
  body: ReadableStream<Uint8Array> | null;
}

export interface Origin {
  /**
   * `path`: the request path as a URL path (`encodePath` of the path the
   * engine routed by). Decoding it once gives exactly that path: a `%3F` in
   * it is part of the path, never a query.
   */
  render(
    path: string,
    req: RequestLike,
  ): OriginPage | OriginPassthrough | undefined | Promise<OriginPage | OriginPassthrough | undefined>;
}

export interface StaticAsset {
  type: string;
  body: string | Uint8Array;
  /** Cache-Control for it; a short public max-age by default. */
  cacheControl?: string;
}

export interface EngineState {
  settings: EngineSettings;
  batchLimits: BatchLimits;
  ring: KeyRing;
  compiled: CompiledSite;
  profiles: ProfileService;
  /** Devices of one user joined into the user's profile (identify). */
  linked: LinkedDevices;
  /** Where every event went since start (loss-accounting.ts). */
  accounting: LossAccounting;
  store: ProfileStore;
  log: EventLog;
  logger: Logger;
  origin: Origin | undefined;
  assets: Record<string, StaticAsset>;
  rewriter: HTMLRewriterFactory;
  shells: LruCache<string, { shell: Shell; builtAt: number }>;
  /** How long a variant's shell is reused before the origin is asked again, ms. */
  shellTtlMs: number;
  tiles: TileRenderer;
  /** Shells being built, so concurrent misses share one build. */
  shellBuilds: Map<string, Promise<Shell>>;
  /**
   * The served model, the router (live updates, a rollout) a host installed,
   * and, once prepared for the model, its session ranker (recommend/session-rerank.ts).
   */
  model: {
    artifact: Artifact | undefined;
    router?: ModelRouter | undefined;
    ranker?: SessionRanker | undefined;
  };
  /** Prepares a session ranker per model (the runtime's onnxruntime or TypeScript pass); none by default. */
  rankers?: SessionRankerProvider | undefined;
  /** Segment memberships and recommendation lists per profile version. */
  memo: DecisionMemo;
  /** Experiments in force on this node, their ledger and bandits. */
  experiments: ExperimentRuntime;
  /** Work a request started and did not wait for (edge-observed views); see `Engine.idle`. */
  background: Set<Promise<void>>;
  now: () => number;
  /** Mints anonymous visitor ids (random in production, seeded in the simulator). */
  visitorIds: VisitorIdSource;
  /** High-resolution clock for Server-Timing (ms). */
  perf: () => number;
  startedAt: number;
  /** Metrics (silent unless the host plugs a backend in). */
  observer: EngineObserver;
}
