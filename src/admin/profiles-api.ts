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
import type { RouteContext } from '../core/engine-api.js';
import { TesseraError } from '../core/errors.js';
import { jsonReply, type Reply } from '../core/http/reply.js';
import { holdsAnything } from '../core/privacy/index.js';

/** The visitor id of a `/admin/api/profiles/ID` path, if it is one. */
export function profileIdOf(path: string): string | undefined {
  return /^\/admin\/api\/profiles\/([^/]+)$/.exec(path)?.[1];
}

export async function handleProfilesApi(req: RequestLike, path: string, ctx: RouteContext): Promise<Reply> {
  const id = profileIdOf(path);
  if (id === undefined || id.length > 200)
    throw new TesseraError(404, '[tessera] [admin] use /admin/api/profiles/<visitor id>');
  if (req.method !== 'GET' && req.method !== 'DELETE')
    throw new TesseraError(405, '[tessera] [admin] use GET (export) or DELETE (erase) on a profile');
  const profiles = ctx.profiles;
  const direct = await profiles.export(id);
  if (holdsAnything(direct)) {
    if (req.method === 'GET') return jsonReply(200, direct);
    return jsonReply(200, { erased: true, ...(await profiles.erase(id)) });
  }
  const linked = await profiles.linked(id);
  if (linked.visitors.length === 0) {
    if (req.method === 'DELETE') return jsonReply(200, { erased: true, ...(await profiles.erase(id)) });
    throw new TesseraError(404, '[tessera] [admin] nothing is held about that id, user id or email');
  }
  if (req.method === 'GET') {
    const visitors = await Promise.all(linked.visitors.map((v) => profiles.export(v)));
    return jsonReply(200, { pseudonyms: linked.pseudonyms, visitors });
  }
  const erased = [];
  for (const v of linked.visitors) erased.push(await profiles.erase(v));
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
  ctx: RouteContext,
): Promise<{ route: string; target: string } | undefined> {
  const id = profileIdOf(path);
  if (id === undefined) return undefined;
  return { route: '/admin/api/profiles/:id', target: await ctx.profiles.pseudonym(id) };
}
