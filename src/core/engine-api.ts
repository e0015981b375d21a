/**
 * The engine as everything outside `src/core` sees it: a few named
 * operations (requests, profiles, models, experiments, health), never its
 * mutable state. Routes a host adds (the admin API, `/privacy/me`) get a
 * `RouteContext`, the same narrow surface plus the request-time helpers they
 * need.
 * @module
 */

import type { LatencySummary } from '../stats/monitor.js';
import type { CatalogItem } from './config.js';
import type { RequestLike } from './context.js';
import type { BanditState } from './experiments/bandit.js';
import type { ExperimentView, LedgerState } from './experiments/index.js';
import type { RequestDecision } from './http/page.js';
import type { Reply } from './http/reply.js';
import type { EventCounts } from './loss-accounting.js';
import type { ModelRouter } from './model-router.js';
import type { Logger } from './ports.js';
import type { LinkedVisitors, VisitorExport } from './privacy/export.js';
import type { ErasureResult, ProfileChange } from './profile-service.js';
import type { Artifact } from './recommend/index.js';
import type { SessionRanker } from './recommend/session-ranker-port.js';
import type { LoggedEvent, Profile, TesseraEvent } from './types.js';

/** Profiles as a host, a route or cluster sync may touch them. */
export interface EngineProfiles {
  /** The visitor's profile as this node holds it (memory first, else the store); undefined when none. */
  get(id: string): Promise<Profile | undefined>;
  /** The profile this node holds in memory only (no store read), if any. */
  held(id: string): Profile | undefined;
  /** Everything held about the visitor (access request): profile, links, events, consent. */
  export(id: string): Promise<VisitorExport>;
  /**
   * Erase the visitor everywhere, under its per-visitor lock (the one erasure
   * path). `remote`: another node erased it and announced it; not sent on.
   */
  erase(id: string, opts?: { remote?: boolean }): Promise<ErasureResult>;
  /** Merge a profile received from elsewhere into this node's copy (and its own store with `intoStore`). */
  merge(id: string, profile: Profile, opts?: { intoStore?: boolean }): Promise<void>;
  /** The visitors a raw user id or email belongs to (they are held as keyed pseudonyms only). */
  linked(value: string): Promise<LinkedVisitors>;
  /**
   * Take this device out of the user it identified as: the link goes, and the
   * user's profile is rebuilt from the other devices (this one's part leaves
   * it; this device no longer sees theirs). `canonical`: the user's pseudonym.
   */
  unlink(id: string): Promise<{ canonical: string | undefined; devices: number }>;
  /** The keyed pseudonym a user id is kept as (audit trails name a person by it). */
  pseudonym(userId: string): Promise<string>;
  /** Store events deferred while the store was down (the spool's replay). */
  applyDeferred(id: string, events: LoggedEvent[]): Promise<Profile>;
  /** Drop this node's in-memory copy of one visitor (another node said the profile is erased). */
  forget(id: string): void;
  /** Drop every in-memory copy (a shared store has what this node missed while cut off). */
  dropCache(): void;
  /** Hear about every change this node makes; returns an unsubscribe. */
  onChange(listener: (change: ProfileChange) => void): () => void;
}

export interface EngineModels {
  /** The model requests use now, if any. */
  current(): { version: string } | undefined;
  /** Swap in a new artifact (requests in flight keep the old one); returns its version. */
  swap(artifact: ArrayBuffer): { version: string };
  /** Load the model store's artifact when its version differs; resolves to the version held, if any. */
  reload(): Promise<string | undefined>;
  /**
   * Put a router between the production artifact and the decisions (live
   * updates, a candidate's rollout: see model-router.ts); undefined removes it.
   */
  route(router: ModelRouter | undefined): void;
  /**
   * Resolves once the session ranker of the model swapped in last is ready
   * (its name, e.g. `gru4rec-onnx`), or undefined when it has none (no
   * `EnginePorts.sessionRanker`, no ONNX section, or it failed to load).
   */
  rankerReady(): Promise<string | undefined>;
  /**
   * Prepares a session ranker for a model that is not the one served (a
   * canary's candidate, routed through `route`) with the engine's
   * `sessionRanker` port; undefined without a port, for a model with nothing
   * for it, or when preparing failed (logged).
   */
  rankerFor(artifact: Artifact): Promise<SessionRanker | undefined>;
}

/** The operations the admin API offers on experiments. */
export interface EngineExperiments {
  /** Every experiment with its statistics (one look of its sequential test each). */
  list(): ExperimentView[];
  /** Whether the experiment exists (no look: a look can conclude the test). */
  has(key: string): boolean;
  /** One experiment with its statistics (a look of its sequential test). */
  view(key: string): ExperimentView | undefined;
  /**
   * Throws (a message for the operator) when the experiment or the variant
   * does not exist. Takes effect on this node at once; resolves once the
   * ledger store has the new status (it outlives a restart).
   */
  promote(key: string, variant: string): Promise<void>;
  pause(key: string): Promise<void>;
  resume(key: string): Promise<void>;
  /** Bandit: stop learning and promote the leader. */
  stop(key: string): Promise<void>;
  /** Load the ledger store's counts and statuses (a host calls it once, before serving). */
  restore(): Promise<void>;
  /** The ledger as this node holds it: a CRDT state another node can merge. */
  ledger(): LedgerState;
  /** Fold in another node's ledger state (idempotent, any order); `intoStore`: keep it in this node's own store too. */
  mergeLedger(state: LedgerState, opts?: { intoStore?: boolean }): void;
  /** Hear about every change this node makes to the ledger (the part that changed); returns an unsubscribe. */
  onLedgerChange(listener: (delta: LedgerState) => void): () => void;
  /** Decision latency percentiles. */
  latency(): LatencySummary;
  /** The site's segments with how many visitors this node saw in each. */
  segments(): { visitors: number; segments: Array<{ id: string; description: string; size: number }> };
  /** The bandit counters (a mergeable state). */
  bandits(): BanditState;
}

/** Read-only values routes and runtimes need. */
export interface EngineInfo {
  nodeId: string;
  siteName: string;
  secureCookies: boolean;
  cookies: { id: string; profile: string };
  maxBodyBytes: number;
}

/** A model built without the event log, and why. */
export interface ModelSource {
  source: 'attributes-only';
  reason: string;
}

/** What the node runs, as `/health` tells an operator. */
export interface EngineHealth {
  status: 'ok' | 'degraded';
  node: string;
  store: string;
  log: string;
  /** The served model's version. */
  model: string | null;
  /** Present when that model was not trained on the event log: why, and what it is built from. */
  modelSource?: ModelSource;
  /** The model lifecycle the host runs (a candidate's rollout, live updates, retrain schedule), when any. */
  models?: Record<string, unknown>;
  uptimeMs: number;
  degraded: string[];
  /** Where every event went since start: received, acknowledged, stored, dropped by reason… */
  events: EventCounts;
  dependencies?: Record<string, unknown>;
}

export interface Engine {
  /** The fast path: a plain reply the Node runtime writes directly. */
  handle(req: RequestLike): Promise<Reply>;
  /** The Web-standard handler for fetch runtimes. */
  fetch(req: Request): Promise<Response>;
  /** The full in-process decision for a request (context → recommendations), without assembly; with its trace unless `trace: false` (what the page path does). */
  decide(req: RequestLike, opts?: { trace?: boolean }): Promise<RequestDecision>;
  /** Apply events for a visitor id (the same path `/collect` uses). */
  ingest(visitor: string, events: TesseraEvent[]): Promise<{ applied: number }>;
  readonly profiles: EngineProfiles;
  readonly models: EngineModels;
  readonly experiments: EngineExperiments;
  readonly settings: EngineInfo;
  /** The site's catalog, by item id. */
  readonly catalog: ReadonlyMap<string, CatalogItem>;
  readonly logger: Logger;
  health(): EngineHealth;
  /**
   * Resolves once the background work started so far (edge-observed views
   * being stored) is done. Fetch runtimes hand it to `ctx.waitUntil`.
   */
  idle(): Promise<void>;
  /** Write every profile still waiting for the store (before a host closes the stores itself). */
  flush(): Promise<void>;
  /** Flush, then close the stores the engine was given. */
  close(): Promise<void>;
}

/** What a route a host adds may use: never the engine's state. */
export interface RouteContext {
  now(): number;
  logger: Logger;
  settings: EngineInfo;
  /** The visitor id a signed id cookie value carries, when it verifies. */
  verifySignedId(value: string | undefined): Promise<string | undefined>;
  profiles: EngineProfiles;
  experiments: EngineExperiments;
  /** The model in use, and a reload from the model store (after an operator moved production there). */
  models: Pick<EngineModels, 'current' | 'reload'>;
  /**
   * The decision trace (the `X-Tessera-Debug` document, http/debug.ts) of a
   * GET of `path` as this visitor would make it: their signed id, and their
   * consent when one is held (else the consent mode decides). Read-only: no
   * view or exposure is recorded, so looking changes nothing.
   */
  traceAs(
    visitorId: string,
    o: { path: string; consent: VisitorConsent | null },
  ): Promise<Record<string, unknown>>;
}

/** A visitor's consent choice, as the consent cookie carries it. */
export interface VisitorConsent {
  personalization: boolean;
  analytics: boolean;
}

/** A route a host adds in front of the site's pages (the admin API, for one). */
export interface EngineRoute {
  /** Requests whose path starts with this go to `handle`. */
  prefix: string;
  /** `path`: the request path, decoded once by the engine (`pathOf`); a route never decodes it again. */
  handle(req: RequestLike, ctx: RouteContext, path: string): Promise<Reply>;
}
