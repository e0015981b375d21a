/**
 * `/admin/api/profiles/ID` (scope `admin:profiles`): a visitor's data on
 * request of the data subject, handled by an operator.
 *
 * | method | does                                                           |
 * |--------|----------------------------------------------------------------|
 * | GET    | everything held: profile, identity links, events, consent (404 when nothing) |
 * | DELETE | erase it from the store, the log, the caches and every node    |
 *
 * ID is a visitor id, or a user id or email the visitor identified with:
 * those are held only as keyed pseudonyms, so the value is pseudonymized the
 * same way and resolved to the visitors it links (`{ pseudonyms, visitors }`).
 * @module
 */
import type { RequestLike } from '../core/context.js';
import { TesseraError } from '../core/errors.js';
import type { EngineState } from '../core/http/engine-state.js';
import { jsonReply, type Reply } from '../core/http/reply.js';
import { pseudonymizeUserId } from '../core/identity/index.js';
import { eraseVisitor, exportVisitor, holdsAnything, linkedVisitors } from '../core/privacy/index.js';

/** The visitor id of a `/admin/api/profiles/ID` path, if it is one. */
export function profileIdOf(path: string): string | undefined {
  return /^\/admin\/api\/profiles\/([^/]+)$/.exec(path)?.[1];
}

export async function handleProfilesApi(req: RequestLike, path: string, s: EngineState): Promise<Reply> {
  const id = profileIdOf(path);
  if (id === undefined || id.length > 200)
    throw new TesseraError(404, '[tessera] [admin] use /admin/api/profiles/<visitor id>');
  if (req.method !== 'GET' && req.method !== 'DELETE')
    throw new TesseraError(405, '[tessera] [admin] use GET (export) or DELETE (erase) on a profile');
  const direct = await exportVisitor(s, id);
  if (holdsAnything(direct)) {
    if (req.method === 'GET') return jsonReply(200, direct);
    return jsonReply(200, { erased: true, ...(await eraseVisitor(s, id)) });
  }
  const linked = await linkedVisitors(s, id);
  if (linked.visitors.length === 0) {
    if (req.method === 'DELETE') return jsonReply(200, { erased: true, ...(await eraseVisitor(s, id)) });
    throw new TesseraError(404, '[tessera] [admin] nothing is held about that id, user id or email');
  }
  if (req.method === 'GET') {
    const visitors = await Promise.all(linked.visitors.map((v) => exportVisitor(s, v)));
    return jsonReply(200, { pseudonyms: linked.pseudonyms, visitors });
  }
  const erased = [];
  for (const v of linked.visitors) erased.push(await eraseVisitor(s, v));
  return jsonReply(200, { erased: true, pseudonyms: linked.pseudonyms, visitors: erased });
}

/**
 * What the audit log records of a profiles call: the route without the id
 * and the keyed pseudonym of the id, so the trail holds no visitor id, user
 * id or email (it outlives an erasure), yet the same subject always reads
 * the same.
 */
export async function profilesAuditTarget(
  path: string,
  s: EngineState,
): Promise<{ route: string; target: string } | undefined> {
  const id = profileIdOf(path);
  if (id === undefined) return undefined;
  return { route: '/admin/api/profiles/:id', target: await pseudonymizeUserId(s.ring, id) };
}
