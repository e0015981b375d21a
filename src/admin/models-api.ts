/**
 * The models panel's buttons (`write:models`), the registry moves of
 * `tessera model rollback|promote` from the dashboard:
 *
 * | method | path                        | does                                                        |
 * |--------|-----------------------------|-------------------------------------------------------------|
 * | POST   | /admin/api/models/rollback  | production back to the previous production version          |
 * | POST   | /admin/api/models/promote   | `{ "version"?: "…" }` (default: the candidate) becomes production |
 *
 * The aliases change by compare-and-set in the model store (model-registry.ts),
 * then this node reloads at once and the host announces the new production
 * version to the others (on Node, over the bus, as the CLI does); a node that
 * hears nothing sees the alias on its next model-store poll.
 * @module
 */

import type { RequestLike } from '../core/context.js';
import type { RouteContext } from '../core/engine-api.js';
import { TesseraError } from '../core/errors.js';
import { jsonReply, type Reply } from '../core/http/reply.js';
import { type ModelVersions, promoteModel, rollbackModel } from '../models/model-registry.js';
import type { ModelRegistryView } from './live-api.js';

export interface ModelMoves {
  models?: ModelRegistryView | ModelVersions;
  /** Tell the other nodes production is now `version` (Node: the bus's `models` topic). */
  announce?: (version: string) => void;
}

function writable(m: ModelMoves['models']): ModelVersions {
  if (!m || !('setAliases' in m))
    throw new TesseraError(404, '[tessera] [admin] this host has no writable model registry');
  return m;
}

async function versionAsked(req: RequestLike, candidate: string | undefined): Promise<string> {
  let body: { version?: unknown };
  try {
    body = JSON.parse((await req.text()) || '{}') as { version?: unknown };
  } catch {
    throw new TesseraError(400, '[tessera] [admin] body is not JSON');
  }
  if (body.version !== undefined && typeof body.version !== 'string')
    throw new TesseraError(400, '[tessera] [admin] expected { "version": "<16 hex digits>" }');
  const version = (body.version as string | undefined) ?? candidate;
  if (!version) throw new TesseraError(400, '[tessera] [admin] no candidate to promote: name a version');
  return version;
}

/** Answers a POST under `/admin/api/models/`; undefined for any other path. */
export async function handleModelMoves(
  req: RequestLike,
  path: string,
  ctx: RouteContext,
  o: ModelMoves,
): Promise<Reply | undefined> {
  const action = /^\/admin\/api\/models\/([a-z]+)$/.exec(path)?.[1];
  if (action === undefined) return undefined;
  if (action !== 'rollback' && action !== 'promote')
    throw new TesseraError(404, `[tessera] [admin] no model action "${action.slice(0, 40)}"`);
  if (req.method !== 'POST') throw new TesseraError(405, `[tessera] [admin] use POST for ${action}`);
  const store = writable(o.models);
  const from = ctx.models.current()?.version ?? null;
  const aliases =
    action === 'rollback'
      ? await rollbackModel(store)
      : await promoteModel(store, await versionAsked(req, (await store.aliases()).candidate), 'production');
  // This node serves the new production version before the answer leaves.
  const inUse = (await ctx.models.reload()) ?? null;
  if (aliases.production) o.announce?.(aliases.production);
  return jsonReply(200, { action, from, production: aliases.production ?? null, inUse, aliases });
}
