/**
 * What `createNodeApp` (app.ts) takes and what it hands back: the options
 * `tessera dev`, `tessera serve`, the simulator and the tests set, and the
 * running app with its engine, server, training, timers and close.
 * app.ts re-exports both, the path their users import them from.
 * @module
 */
import type { Server } from 'node:http';
import type { ConsentMode } from '../../core/config.js';
import type { Engine } from '../../core/engine.js';
import type { ExperimentSettings } from '../../core/experiments/index.js';
import type { LimitSettings } from '../../core/limits/index.js';
import type { Logger, ModelStore } from '../../core/ports.js';
import type { SweepResult } from '../../core/privacy/index.js';
import type { SessionRankerProvider } from '../../core/recommend/session-ranker-port.js';
import type { FederatedCoordinator } from '../../federated/coordinator.js';
import type { EdgeFederation } from '../../federated/edge.js';
import type { FederatedSettings } from '../../federated/edge-settings.js';
import type { ModelLifecycle } from '../../models/lifecycle.js';
import type { ModelLifecycleConfig } from '../../models/lifecycle-config.js';
import type { Metrics } from '../../observe/metrics.js';
import type { ModelWatcher } from './model-watcher.js';
import type { RefusalOptions } from './refusals.js';
import type { SharedStateOptions } from './shared-state.js';
import type { TrainOptions, TrainResult } from './training.js';

export interface NodeAppOptions {
  /** On-device learning: mounts `/federated/*` and serves `/tessera-federated.js` (docs/federated.md). */
  federated?: FederatedCoordinator;
  /**
   * Run the round endpoints with a coordinator of the node's own, joined to
   * the cluster's bus when there is one (federated/edge.ts). Default: the
   * site config's `federated` section, on when its `enabled` is true; `true`
   * turns it on with that section's values (`--federated`); a settings object
   * replaces the section. Ignored when `federated` gives a coordinator.
   */
  federatedSettings?: boolean | FederatedSettings;
  /** `sqlite:PATH` (default `sqlite:<dataDir>/tessera.db`) or `memory:`. */
  store?: string;
  dataDir?: string;
  /** Folder with `shop.mjs` exporting `loadShop()` (default: examples/shop). */
  siteDir?: string;
  nodeId?: string;
  secret?: string;
  /** Key ring `KID:SECRET,...` (default TESSERA_KEYS); without it, the secret is key k1. */
  keys?: string;
  /** The key id that encrypts (default TESSERA_KEY_CURRENT, else the last of `keys`). */
  keyCurrent?: string;
  /** Encrypt profiles at rest with the key ring (default true). */
  encryptAtRest?: boolean;
  consentMode?: ConsentMode;
  /** Every cookie Tessera sets carries `Secure` (serve over HTTPS); default false. */
  secureCookies?: boolean;
  /** Retrain from the event log this often when it grew (ms; 0 = never). */
  retrainMs?: number;
  /** Poll the model store for a new version this often (ms, default 2000; 0 = never). */
  modelPollMs?: number;
  /**
   * At `close()`, how long requests in flight get to finish before their connections are
   * closed (ms, default 10000); the stores are flushed and closed after that either way.
   */
  shutdownGraceMs?: number;
  /** Train at start when the model store is empty (default true). */
  trainIfEmpty?: boolean;
  logger?: Logger;
  /** Token with every admin scope (default: TESSERA_ADMIN_TOKEN); scoped ones live in `<dataDir>/admin-tokens.json`. */
  adminToken?: string;
  /** Delete profiles and events older than this many days, once a day (default 365). */
  retentionDays?: number;
  /** Experiment settings: confidence, auto-promotion. */
  experiments?: ExperimentSettings;
  /** URL/cookie sizes, `/collect` rate limits, the trusted client-IP header. */
  limits?: Partial<LimitSettings>;
  /** How refusals are written: held back for connections that ignore `Retry-After` (refusals.ts). */
  refusals?: RefusalOptions;
  /** The engine's clock and id source (default: wall time, random ids); the simulator's are virtual and seeded. */
  now?: () => number;
  /** Each id 22 base64url characters (the signed id cookie's shape); another shape fails the request. */
  visitorIds?: () => string;
  /** Also serve `/metrics` without a token on this port (0: any free port), bound to `metricsHost`. */
  metricsPort?: number;
  /** Interface of the metrics listener (default 127.0.0.1: only this host's scraper). */
  metricsHost?: string;
  /**
   * Send OpenTelemetry traces over OTLP/HTTP to this endpoint (see
   * observe/otlp-node.ts); unset, the tracing SDK is not even loaded.
   */
  otlpEndpoint?: string;
  /**
   * Ranks recommendation slots with the session model of an artifact that
   * carries one (ONNX section; docs/onnx.md). Default: onnxruntime-web
   * (wasm), loaded on the first such model; `false`: neighbour lists only.
   */
  sessionRanker?: SessionRankerProvider | false;
  /** Bus, event log, key prefix, test routes of a node in a cluster (see shared-state.ts). */
  cluster?: Omit<SharedStateOptions, 'nodeId' | 'dataDir' | 'logger'>;
  /** The site config's `models` section, changed (the simulator's rollout settings; tests). */
  modelLifecycle?: (config: ModelLifecycleConfig) => ModelLifecycleConfig;
}

export interface NodeApp {
  engine: Engine;
  server: Server;
  listen(port: number, host?: string): Promise<number>;
  /** Train from the catalog and the event log, store the artifact, load it. */
  train(opts?: TrainOptions): Promise<TrainResult>;
  /** Polls the model store and swaps new versions in (hot swap); undefined when polling is off. */
  models: ModelWatcher | undefined;
  /** Delete profiles and events past `retentionDays` now (the daily timer calls this too). */
  sweep(): Promise<SweepResult>;
  /** The node's Prometheus metrics (`/metrics`). */
  metrics: Metrics;
  /** Live updates and the candidate's rollout (docs/models.md). */
  lifecycle: ModelLifecycle;
  /** The model registry's store this node serves from. */
  modelStore: ModelStore;
  /** The port of the token-less metrics listener, when `metricsPort` was given. */
  metricsPort: number | undefined;
  /** This node's member of the federated-learning federation, when the node runs rounds itself. */
  federation: EdgeFederation['node'] | undefined;
  close(): Promise<void>;
}
