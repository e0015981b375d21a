/**
 * The dashboard's live JSON (`read:stats`):
 *
 * | method | path              | answers                                                       |
 * |--------|-------------------|---------------------------------------------------------------|
 * | GET    | /admin/api/live   | per-second and per-10-second traffic, events, p50/p99, per-arm CTR and conversion (live-series.ts) |
 * | GET    | /admin/api/models | the model in use, swaps and rollbacks seen here, the registry's aliases and versions, canary state |
 * @module
 */
import type { RouteContext } from '../core/engine-api.js';
import { TesseraError } from '../core/errors.js';
import { jsonReply, type Reply } from '../core/http/reply.js';
import type { ModelStore } from '../core/ports.js';
import type { LiveSeries } from './live-series.js';

/** What the models panel reads from the model store (every driver has it). */
export type ModelRegistryView = Pick<ModelStore, 'name' | 'aliases' | 'list'>;

const VERSIONS_SHOWN = 10;

async function modelsJson(
  live: LiveSeries | undefined,
  store: ModelRegistryView | undefined,
  node: string,
  lifecycle?: () => Record<string, unknown> | undefined,
) {
  const seen = live?.snapshot(node).models;
  const registry = store
    ? await Promise.all([store.aliases(), store.list()]).then(
        ([aliases, versions]) => ({
          store: store.name,
          production: aliases.production ?? null,
          candidate: aliases.candidate ?? null,
          history: aliases.history,
          versions: versions.slice(-VERSIONS_SHOWN).map((m) => ({
            version: m.version,
            created: m.created,
            bytes: m.bytes,
            ...(m.metrics ? { metrics: m.metrics } : {}),
          })),
        }),
        (e: unknown) => ({ store: store.name, error: e instanceof Error ? e.message : String(e) }),
      )
    : null;
  return {
    current: seen?.current ?? null,
    swaps: seen?.swaps ?? 0,
    rollbacks: seen?.rollbacks ?? 0,
    recent: seen?.recent ?? [],
    registry,
    canary: canaryOf(lifecycle?.(), registry && 'candidate' in registry ? registry.candidate : null),
  };
}

/** The candidate's rollout as the host's model lifecycle reports it (models/lifecycle.ts); `none` without one. */
function canaryOf(state: Record<string, unknown> | undefined, candidate: string | null | undefined) {
  const rollout = state?.rollout as { phase?: unknown; share?: unknown; candidate?: unknown } | undefined;
  if (!rollout || typeof rollout.candidate !== 'string')
    return { state: 'none', share: 0, candidate: candidate ?? null };
  return {
    state: typeof rollout.phase === 'string' ? rollout.phase : 'running',
    share: typeof rollout.share === 'number' ? rollout.share : 0,
    candidate: rollout.candidate,
  };
}

/** Answers `/admin/api/live` and `/admin/api/models`; undefined for any other path. */
export async function handleLiveApi(
  method: string,
  path: string,
  ctx: RouteContext,
  o: { live?: LiveSeries; models?: ModelRegistryView; lifecycle?: () => Record<string, unknown> | undefined },
): Promise<Reply | undefined> {
  if (path !== '/admin/api/live' && path !== '/admin/api/models') return undefined;
  if (method !== 'GET') throw new TesseraError(405, `[tessera] [admin] use GET for ${path}`);
  if (path === '/admin/api/models')
    return jsonReply(200, await modelsJson(o.live, o.models, ctx.settings.nodeId, o.lifecycle));
  if (!o.live) throw new TesseraError(404, '[tessera] [admin] this host keeps no live series');
  return jsonReply(200, o.live.snapshot(ctx.settings.nodeId));
}
