/**
 * What a host hands `createEngine` (engine.ts): the site, its catalog and the
 * settings (`EngineConfig`), and the drivers and hooks of the runtime it runs
 * in (`EnginePorts`), with what a runtime adds to `/health` (`HealthReport`).
 * engine.ts re-exports all three, the path hosts import them from.
 * @module
 */
import type { HTMLRewriterFactory } from './assemble/index.js';
import type { CatalogItem, EngineSettings, SiteConfig } from './config.js';
import type { RequestLike } from './context.js';
import type { EngineRoute, ModelSource } from './engine-api.js';
import type { ExperimentSettings, LedgerStore } from './experiments/index.js';
import type { Origin, StaticAsset } from './http/engine-state.js';
import type { KeyRingCrypto, KeyRingInput, VisitorIdSource } from './identity/index.js';
import type { LimitSettings, RateLimiter } from './limits/index.js';
import type { LossAccounting } from './loss-accounting.js';
import type { EngineObserver } from './observer.js';
import type { EventLog, Logger, ModelStore, ProfileStore } from './ports.js';
import type { IngestFallback } from './profile-service.js';
import type { SessionRankerProvider } from './recommend/session-ranker-port.js';
import type { EngineTracer } from './tracer.js';

export interface EngineConfig {
  site: SiteConfig;
  catalog: readonly CatalogItem[];
  settings: Partial<Omit<EngineSettings, 'secret'>> & { secret: string | KeyRingInput };
  /** How long a variant's page shell is reused before the origin is asked again (ms, default 60 s; 0: built per request, never shared, as framework middleware needs). */
  shellTtlMs?: number;
  /** Confidence, auto-promotion and test settings for experiments. */
  experiments?: ExperimentSettings;
  /** URL/cookie sizes and `/collect` rate limits (defaults: DEFAULT_LIMIT_SETTINGS). */
  limits?: Partial<LimitSettings>;
  /**
   * Write profiles behind ingest after this delay (ms), coalesced per visitor
   * (see profile-writes.ts); unset, ingest waits for the store. For a
   * long-lived process that calls `close()` on shutdown.
   */
  profileWriteBehindMs?: number;
}

/** What a runtime adds to `/health`: the dependencies that are not ready, and each one's status. */
export interface HealthReport {
  degraded: string[];
  dependencies: Record<string, unknown>;
  /** Set when the served model is not one trained on the event log (e.g. the log was down at start). */
  model?: ModelSource;
  /** The model lifecycle's state (rollout, live updates, retrain schedule), shown as `models`. */
  models?: Record<string, unknown>;
}

export interface EnginePorts {
  profiles: ProfileStore;
  events: EventLog;
  models?: ModelStore;
  rewriter: HTMLRewriterFactory;
  origin?: Origin;
  assets?: Record<string, StaticAsset>;
  logger?: Logger;
  now?: () => number;
  perf?: () => number;
  /**
   * New anonymous ids (default: 128 random bits). The simulator seeds it; never predictable in production.
   * Each id must be 22 base64url characters, the signed id cookie's shape: another fails the request with a
   * `[tessera] [config]` error (identity/signed-id.ts, `checkedVisitorIds`).
   */
  visitorIds?: VisitorIdSource;
  /**
   * Faster synchronous primitives for the key ring (sealed cookies, signed
   * ids, pseudonyms), same keys and output as WebCrypto (default). Node passes
   * node:crypto's (runtimes/node/node-crypto.ts).
   */
  keyRingCrypto?: KeyRingCrypto;
  /** Dependency states for `/health` (networked stores, buses, the spool). */
  health?: () => HealthReport;
  /**
   * Whether the caller may read the node's details on `/health` (node id,
   * drivers, model, dependencies, spool backlog): an admin token with
   * `read:stats`. Without it, or when it says no, `/health` is `{status}`.
   */
  canReadStats?: (req: RequestLike) => Promise<boolean>;
  /**
   * Whether a page request that asks for its decision trace
   * (`X-Tessera-Debug: 1` or `?tessera-debug`) may have it: an admin token
   * with `read:debug`. Without it, or when it says no, the page as usual.
   */
  canDebug?: (req: RequestLike) => Promise<boolean>;
  /** Where ingest defers events while the store is down (degraded mode). */
  ingestFallback?: IngestFallback;
  /** Routes in front of the site's pages (`/admin`, ...). */
  routes?: EngineRoute[];
  /** Where `/collect` token buckets live (default: in memory, per node). */
  rateLimiter?: RateLimiter;
  /** Where experiment counts and statuses live (default: in memory); `experiments.restore()` loads it. */
  ledger?: LedgerStore;
  /** Event counters since start (default: the engine's own); a runtime shares it with its spool. */
  accounting?: LossAccounting;
  /** Metrics: told about requests, decision stages, ingest outcomes, exposures (default: silent). */
  observer?: Partial<EngineObserver>;
  /**
   * Traces: each request's span with its decision stages (default: none, and
   * then no trace object is made at all). See tracer.ts; the OpenTelemetry
   * adapter is src/observe/tracing.ts.
   */
  tracer?: EngineTracer;
  /**
   * Session models (an ONNX section in the artifact): prepares a ranker per
   * model that re-orders the recommendation slots after `decide()` (see
   * recommend/session-rerank.ts). The runtime supplies it, with
   * onnxruntime-web (src/models/onnx/session-rankers.ts); none by default.
   */
  sessionRanker?: SessionRankerProvider;
  /** Why the runtime cannot serve yet (a store not reachable, ...), for `/ready`; empty when it can. */
  notReady?: () => string[];
}
