/**
 * The named operations of `Engine` (engine-api.ts), built over the state
 * `createEngine` owns. Only this file and the core's own request handlers
 * touch that state; hosts, routes and tests go through what it returns.
 * @module
 */

import type {
  EngineExperiments,
  EngineHealth,
  EngineInfo,
  EngineModels,
  EngineProfiles,
  RouteContext,
} from './engine-api.js';
import type { HealthReport } from './engine-config.js';
import { debugDocument } from './http/debug.js';
import type { EngineState } from './http/engine-state.js';
import { decideRequest } from './http/page.js';
import { formatConsentCookie, signId, verifySignedId } from './identity/index.js';
import { exportVisitor, linkedVisitors, type PrivacySources } from './privacy/export.js';
import { readArtifact } from './recommend/index.js';
import { prepareRanker, rankerFor } from './recommend/session-ranker-load.js';

export function profilesApi(s: EngineState): EngineProfiles {
  const p = s.profiles;
  const sources: PrivacySources = {
    store: s.store,
    log: s.log,
    ring: s.ring,
    now: s.now,
    held: (id) => p.held(id),
  };
  return {
    get: (id) => p.peek(id),
    held: (id) => p.held(id),
    export: (id) => exportVisitor(sources, id),
    erase: (id, opts) => p.erase(id, opts),
    merge: (id, profile, opts) => p.mergeRemote(id, profile, opts),
    linked: (value) => linkedVisitors(sources, value),
    unlink: (id) => s.linked.unlink(id),
    pseudonym: (userId) => p.pseudonym(userId),
    applyDeferred: (id, events) => p.applyDeferred(id, events),
    forget: (id) => p.forget(id),
    dropCache: () => p.dropCache(),
    onChange: (listener) => p.onChange(listener),
  };
}

export function modelsApi(s: EngineState, load: () => Promise<ArrayBuffer | undefined>): EngineModels {
  let ranker: Promise<string | undefined> = Promise.resolve(undefined);
  const swap = (buf: ArrayBuffer) => {
    s.model.artifact = warm(readArtifact(buf));
    ranker = prepareRanker(s.model, s.rankers, s.logger);
    s.shells.clear();
    s.observer.modelSwap(s.model.artifact.version);
    return { version: s.model.artifact.version };
  };
  return {
    current: () => (s.model.artifact ? { version: s.model.artifact.version } : undefined),
    swap,
    async reload() {
      const buf = await load();
      if (!buf) return undefined;
      const artifact = warm(readArtifact(buf));
      if (artifact.version !== s.model.artifact?.version) {
        s.model.artifact = artifact;
        ranker = prepareRanker(s.model, s.rankers, s.logger);
        s.shells.clear();
        s.observer.modelSwap(artifact.version);
      }
      return artifact.version;
    },
    route(router) {
      s.model.router = router;
      s.shells.clear();
    },
    rankerReady: () => ranker,
    rankerFor: (artifact) => rankerFor(artifact, s.rankers, s.logger),
  };
}

/** Builds the lazy id map before the swap, so no request pays for it after one. */
function warm<A extends { indexOf(id: string): number }>(artifact: A): A {
  artifact.indexOf('');
  return artifact;
}

export function experimentsApi(s: EngineState): EngineExperiments {
  const x = () => s.experiments;
  return {
    list: () =>
      x()
        .list()
        .flatMap((d) => x().view(d.key) ?? []),
    has: (key) => x().get(key) !== undefined,
    view: (key) => x().view(key),
    promote: (key, variant) => x().promote(key, variant),
    pause: (key) => x().setStatus(key, 'paused'),
    resume: (key) => x().setStatus(key, 'running'),
    stop: (key) => x().stopBandit(key).stored,
    restore: () => x().restore(),
    ledger: () => x().ledger.snapshot(),
    mergeLedger: (state, opts) => x().merge(state, opts),
    onLedgerChange: (listener) => x().ledger.onChange(listener),
    latency: () => x().monitor.latency(),
    segments() {
      const sizes = x().monitor.segmentSizes();
      return {
        visitors: x().monitor.visitors,
        segments: s.compiled.site.segments.map((seg) => ({
          id: seg.id,
          description: seg.description ?? '',
          size: sizes[seg.id] ?? 0,
        })),
      };
    },
    bandits: () => x().ledger.banditState(),
  };
}

export function engineInfo(s: EngineState): EngineInfo {
  return {
    nodeId: s.settings.nodeId,
    siteName: s.compiled.site.name,
    secureCookies: s.settings.secureCookies,
    cookies: { id: s.settings.cookies.id, profile: s.settings.cookies.profile },
    maxBodyBytes: s.settings.maxBodyBytes,
  };
}

export function healthOf(s: EngineState, report: HealthReport | undefined): EngineHealth {
  const degraded = report?.degraded ?? [];
  return {
    // Still "degraded", not down: a degraded node keeps serving pages from what it has.
    status: degraded.length > 0 ? 'degraded' : 'ok',
    node: s.settings.nodeId,
    store: s.store.name,
    log: s.log.name,
    model: s.model.artifact?.version ?? null,
    ...(report?.model ? { modelSource: report.model } : {}),
    ...(report?.models ? { models: report.models } : {}),
    uptimeMs: s.now() - s.startedAt,
    degraded,
    events: s.accounting.snapshot(),
    ...(report ? { dependencies: report.dependencies } : {}),
  };
}

export function routeContext(
  s: EngineState,
  parts: Pick<RouteContext, 'profiles' | 'experiments' | 'settings' | 'models'>,
): RouteContext {
  return {
    now: s.now,
    logger: s.logger,
    verifySignedId: (value) => verifySignedId(s.ring, value),
    async traceAs(visitorId, o) {
      const names = s.settings.cookies;
      const cookies = [`${names.id}=${await signId(s.ring, visitorId)}`];
      if (o.consent) cookies.push(`${names.consent}=${formatConsentCookie(o.consent)}`);
      const req = {
        method: 'GET',
        url: new URL(o.path, 'http://tessera.trace').href,
        headers: new Headers({ cookie: cookies.join('; ') }),
        text: async () => '',
      };
      return debugDocument(await decideRequest(req, s, undefined, { trace: true, readOnly: true }), s);
    },
    ...parts,
  };
}
