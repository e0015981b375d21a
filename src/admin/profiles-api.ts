/**
 * `/admin/api/profiles/ID` (scope `admin:profiles`): a visitor's data on
 * request of the data subject, handled by an operator.
 *
 * | method | does                                                           |
 * |--------|----------------------------------------------------------------|
 * | GET    | everything held: profile, identity links, events, consent (404 when nothing) |
 * | DELETE | erase it from the store, the log, the caches and every node    |
 * @module
 */
import type { RequestLike } from '../core/context.js';
import { TesseraError } from '../core/errors.js';
import type { EngineState } from '../core/http/engine-state.js';
import { jsonReply, type Reply } from '../core/http/reply.js';
import { eraseVisitor, exportVisitor, holdsAnything } from '../core/privacy/index.js';

/** The visitor id of a `/admin/api/profiles/ID` path, if it is one. */
export function profileIdOf(path: string): string | undefined {
  return /^\/admin\/api\/profiles\/([^/]+)$/.exec(path)?.[1];
}

export async function handleProfilesApi(req: RequestLike, path: string, s: EngineState): Promise<Reply> {
  const id = profileIdOf(path);
  if (id === undefined || id.length > 200)
    throw new TesseraError(404, '[tessera] [admin] use /admin/api/profiles/<visitor id>');
  if (req.method === 'GET') {
    const data = await exportVisitor(s, id);
    if (!holdsAnything(data)) throw new TesseraError(404, `[tessera] [admin] nothing is held about "${id}"`);
    return jsonReply(200, data);
  }
  if (req.method === 'DELETE') return jsonReply(200, { erased: true, ...(await eraseVisitor(s, id)) });
  throw new TesseraError(405, '[tessera] [admin] use GET (export) or DELETE (erase) on a profile');
}
