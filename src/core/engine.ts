/**
 * createEngine(config, ports) → { handle, fetch, decide, ingest, profiles,
 * models, experiments, health, idle, close } (engine-api.ts).
 * Wires the pure core (context, identity, profile, segments, decide,
 * assemble) to the drivers a runtime hands in (engine-config.ts): builds the
 * state the request path (engine-requests.ts) and the named operations
 * (engine-surface.ts) share, and nothing outside them sees.
 * @module
 */
import { compileItemTemplate } from './assemble/index.js';
import { LruCache } from './cache/index.js';
import type { EngineSettings } from './config.js';
import { DEFAULT_SETTINGS } from './config.js';
import { compileSite } from './decide.js';
import { DecisionMemo } from './decision-memo.js';
import type { Engine } from './engine-api.js';
import type { EngineConfig, EnginePorts } from './engine-config.js';
import { rememberStores } from './engine-ports.js';
import { createRequestHandler } from './engine-requests.js';
import {
  engineInfo,
  experimentsApi,
  healthOf,
  modelsApi,
  profilesApi,
  routeContext,
} from './engine-surface.js';
import { DEFAULT_BATCH_LIMITS } from './events.js';
import { ExperimentRuntime } from './experiments/index.js';
import type { EngineState } from './http/engine-state.js';
import { decideRequest } from './http/page.js';
import { toResponse } from './http/reply.js';
import { checkedVisitorIds, createKeyRing, newVisitorId } from './identity/index.js';
import { createMemoryRateLimiter, DEFAULT_LIMIT_SETTINGS, type LimitSettings } from './limits/index.js';
import { LinkedDevices } from './linked-devices.js';
import { createLossAccounting } from './loss-accounting.js';
import { observedLog } from './observed-log.js';
import { observerOf } from './observer.js';
import { silentLogger } from './ports.js';
import { ProfileService } from './profile-service.js';

export type {
  Engine,
  EngineExperiments,
  EngineHealth,
  EngineInfo,
  EngineModels,
  EngineProfiles,
  EngineRoute,
  ModelSource,
  RouteContext,
} from './engine-api.js';
export type { EngineConfig, EnginePorts, HealthReport } from './engine-config.js';

const DEFAULT_ITEM_TEMPLATE = '<a href="/product/{{id}}" data-tessera-item="{{id}}">{{title}}</a>';

export function createEngine(config: EngineConfig, ports: EnginePorts): Engine {
  const secretInput = config.settings.secret;
  const settings: EngineSettings = {
    ...DEFAULT_SETTINGS,
    ...config.settings,
    secret: typeof secretInput === 'string' ? secretInput : (secretInput.secrets[secretInput.current] ?? ''),
  };
  const ring = createKeyRing(secretInput, ports.keyRingCrypto);
  const compiled = compileSite(config.site, config.catalog);
  const now = ports.now ?? Date.now;
  const logger = ports.logger ?? silentLogger;
  const accounting = ports.accounting ?? createLossAccounting();
  const observer = observerOf(ports.observer);
  // Without an observer the log is used as given: nothing to count, nothing to wrap.
  const log = ports.observer ? observedLog(ports.events, observer, compiled.recSlots) : ports.events;
  const profiles = new ProfileService({
    accounting,
    settings,
    ring,
    store: ports.profiles,
    log,
    logger,
    now,
    item: (id) => compiled.catalog.get(id),
    fallback: ports.ingestFallback,
    privacy: config.site.privacy,
    writeBehindMs: config.profileWriteBehindMs,
    // `state` is built just below; erasures only happen once it is.
    onErase: async (visitor, linkedTo) => {
      await state.experiments.ledger.store.forget(visitor);
      // The user's profile must not keep what came from an erased device.
      state.linked.forget(visitor);
      if (linkedTo !== undefined) await state.linked.rebuild(linkedTo);
    },
  });
  const state: EngineState = {
    settings,
    batchLimits: { ...DEFAULT_BATCH_LIMITS, maxBatch: settings.maxBatch },
    ring,
    compiled,
    profiles,
    linked: new LinkedDevices({ store: profiles.store, now, logger }),
    accounting,
    // Reads wait for profiles written behind; deletes drop them first.
    store: profiles.store,
    log,
    logger,
    origin: ports.origin,
    assets: ports.assets ?? {},
    rewriter: ports.rewriter,
    shells: new LruCache({ maxEntries: 2000, maxBytes: 64 * 1024 * 1024, sizeOf: (e) => e.shell.bytes }),
    shellTtlMs: config.shellTtlMs ?? 60_000,
    tiles: compileItemTemplate(config.site.itemTemplate ?? DEFAULT_ITEM_TEMPLATE),
    shellBuilds: new Map(),
    model: { artifact: undefined },
    rankers: ports.sessionRanker,
    memo: new DecisionMemo(),
    // Set just below: its onChange needs `state`.
    experiments: undefined as unknown as ExperimentRuntime,
    background: new Set(),
    now,
    // A host's ids are checked as they are minted: one the signed cookie cannot carry fails loudly.
    visitorIds: ports.visitorIds ? checkedVisitorIds(ports.visitorIds) : newVisitorId,
    perf: ports.perf ?? (() => performance.now()),
    startedAt: now(),
    observer,
  };

  // Promotions and pauses change what a variant shows: cached shells must go.
  state.experiments = new ExperimentRuntime(config.site.experiments ?? [], {
    node: settings.nodeId,
    ...(config.experiments ? { settings: config.experiments } : {}),
    ...(ports.ledger ? { store: ports.ledger } : {}),
    now,
    onChange: () => state.shells.clear(),
    // Ledger writes the page path does not wait for: `idle()` does.
    track: (work) => {
      const done: Promise<void> = work.then(
        () => undefined,
        () => undefined,
      );
      void done.finally(() => state.background.delete(done));
      state.background.add(done);
    },
    onError: (e) => logger.warn('[tessera] [experiments] ledger write failed', { error: String(e) }),
  });
  // Nothing derived from an erased profile may be served again, whichever path erased it.
  profiles.onChange((c) => {
    if ('erased' in c) state.memo = new DecisionMemo();
  });
  const api = {
    profiles: profilesApi(state),
    models: modelsApi(state, async () => ports.models?.get()),
    experiments: experimentsApi(state),
    settings: engineInfo(state),
  };
  const ctx = routeContext(state, api);
  const limits: LimitSettings = { ...DEFAULT_LIMIT_SETTINGS, ...config.limits };
  const rateLimiter = ports.rateLimiter ?? createMemoryRateLimiter();
  const handle = createRequestHandler({
    state,
    ports,
    ctx,
    limits,
    rateLimiter,
    itemPrefix: config.site.itemRoute?.prefix,
  });

  const engine: Engine = {
    handle,
    fetch: async (req) => toResponse(await handle(req)),
    decide: (req, opts) => decideRequest(req, state, undefined, { trace: opts?.trace ?? true }),
    ingest: async (visitor, events) => {
      const r = await profiles.ingest(visitor, events);
      // A device of an identified user: its profile joins the user's (the Queue consumer ingests here).
      if (r.applied > 0) await state.linked.contribute(visitor, r.profile);
      return r;
    },
    ...api,
    catalog: compiled.catalog,
    logger,
    health: () => healthOf(state, ports.health?.()),
    async idle() {
      while (state.background.size > 0) await Promise.all([...state.background]);
    },
    flush: () => profiles.flush(),
    async close() {
      await profiles.flush();
      await ports.profiles.close();
      await ports.events.close();
      await rateLimiter.close();
      await ports.ledger?.close();
    },
  };
  rememberStores(engine, { profiles: state.store, events: state.log });
  return engine;
}
