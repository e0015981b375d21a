/**
 * The admin JSON API under `/admin/api`:
 *
 * | method | path                                      | does                                     |
 * |--------|-------------------------------------------|------------------------------------------|
 * | GET    | /admin/api/experiments                    | every experiment with its statistics     |
 * | GET    | /admin/api/experiments/KEY                | one experiment                           |
 * | POST   | /admin/api/experiments/KEY/promote        | `{ "variant": "…" }` becomes the default  |
 * | POST   | /admin/api/experiments/KEY/pause, /resume | stop or restart assigning                |
 * | POST   | /admin/api/experiments/KEY/stop           | bandit: stop and promote the leader      |
 * | GET    | /admin/api/segments                       | segments and their sizes                 |
 * | GET    | /admin/api/latency                        | decision latency percentiles             |
 * | GET    | /admin/api/bandits                        | the bandit counters (a mergeable state)  |
 * @module
 */
import type { RequestLike } from '../core/context.js';
import type { EngineExperiments, EngineInfo } from '../core/engine-api.js';
import { TesseraError } from '../core/errors.js';
import type { ExperimentView } from '../core/experiments/index.js';
import { jsonReply, type Reply } from '../core/http/reply.js';

export function experimentJson(v: ExperimentView): Record<string, unknown> {
  const { def, report } = v;
  const allocation = def.allocation ?? 'hash';
  return {
    key: def.key,
    status: def.promoted !== undefined ? 'promoted' : (def.status ?? 'running'),
    allocation,
    promoted: def.promoted ?? null,
    promotedBy: v.promotedBy ?? null,
    autoPromote: def.autoPromote ?? false,
    holdout: def.holdout ?? 0,
    variants: def.variants.map((x) => ({ key: x.key, weight: x.weight ?? 1, strategy: x.strategy ?? null })),
    confidence: report.confidence,
    arms: report.arms,
    comparisons: report.comparisons,
    srm: report.srm,
    holdoutArm: v.holdout ?? null,
  };
}

async function variantOf(req: RequestLike): Promise<string> {
  let body: unknown;
  try {
    body = JSON.parse((await req.text()) || '{}');
  } catch {
    throw new TesseraError(400, '[tessera] [admin] body is not JSON');
  }
  const variant = (body as { variant?: unknown }).variant;
  if (typeof variant !== 'string' || variant === '')
    throw new TesseraError(400, '[tessera] [admin] expected { "variant": "<key>" }');
  return variant;
}

function mustExist(x: EngineExperiments, key: string): void {
  if (!x.has(key)) throw new TesseraError(404, `[tessera] [admin] no experiment "${key}"`);
}

/** Runs an operator's action; answers once it is stored (a bad key or variant is a 400). */
async function act(fn: () => Promise<void>): Promise<void> {
  let stored: Promise<void>;
  try {
    stored = fn();
  } catch (e) {
    throw new TesseraError(400, e instanceof Error ? e.message : String(e));
  }
  await stored;
}

/** Answer `/admin/api/...` (the caller has checked the token). */
export async function handleAdminApi(
  req: RequestLike,
  path: string,
  x: EngineExperiments,
  info: Pick<EngineInfo, 'nodeId'>,
): Promise<Reply> {
  const parts = path.split('/').filter(Boolean).slice(2);
  const [area, key, action] = parts;
  const get = req.method === 'GET';
  if (area === 'experiments' && key === undefined && get)
    return jsonReply(200, { experiments: x.list().map(experimentJson) });
  if (area === 'experiments' && key !== undefined) {
    mustExist(x, key);
    if (action === undefined && get) return jsonReply(200, experimentJson(x.view(key)!));
    if (req.method !== 'POST')
      throw new TesseraError(405, `[tessera] [admin] use POST for ${action ?? 'this'}`);
    if (action === 'promote') {
      const variant = await variantOf(req);
      await act(() => x.promote(key, variant));
    } else if (action === 'pause') await act(() => x.pause(key));
    else if (action === 'resume') await act(() => x.resume(key));
    else if (action === 'stop') await act(() => x.stop(key));
    else throw new TesseraError(404, `[tessera] [admin] unknown action "${action}"`);
    return jsonReply(200, experimentJson(x.view(key)!));
  }
  if (area === 'segments' && get) return jsonReply(200, x.segments());
  if (area === 'latency' && get) return jsonReply(200, x.latency());
  if (area === 'bandits' && get) return jsonReply(200, { node: info.nodeId, state: x.bandits() });
  throw new TesseraError(404, `[tessera] [admin] no route ${req.method} ${path}`);
}
