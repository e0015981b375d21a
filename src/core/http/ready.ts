/**
 * `GET /ready` for orchestrators: 503 with the reasons until the node can
 * serve what it is meant to (its model loaded, its store reachable), then
 * 200. `/health` says how the node is; `/ready` only whether to send it
 * traffic. The site is compiled before the engine exists, so it never
 * stands in the way here.
 * @module
 */
import type { RequestLike } from '../context.js';
import { TesseraError } from '../errors.js';
import type { EngineState } from './engine-state.js';
import { errorReply, jsonReply, type Reply } from './reply.js';

/**
 * `hasModelStore`: without one the node runs on attributes only, a decision
 * already made, so no model is awaited. `runtime`: the host's own reasons.
 */
export function readiness(
  req: RequestLike,
  s: EngineState,
  hasModelStore: boolean,
  runtime: (() => string[]) | undefined,
): Reply {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const reply = errorReply(new TesseraError(405, '[tessera] /ready answers GET and HEAD'));
    reply.headers.allow = 'GET, HEAD';
    return reply;
  }
  const reasons: string[] = [];
  if (hasModelStore && !s.model.artifact) reasons.push('model not loaded');
  reasons.push(...(runtime?.() ?? []));
  return reasons.length === 0 ? jsonReply(200, { ready: true }) : jsonReply(503, { ready: false, reasons });
}
