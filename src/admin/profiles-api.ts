/**
 * `/admin/api/profiles/ID` (scope `admin:profiles`): a visitor's data on
 * request of the data subject, handled by an operator.
 *
 * | method | does                                                           |
 * |--------|----------------------------------------------------------------|
 * | GET    | everything held: profile, identity links, events, consent (404 when nothing) |
 * | DELETE | erase it from the store, the log, the caches and every node    |
 *
 * `GET /admin/api/profiles/ID/trace?path=/` (the dashboard's profile lookup):
 * a summary of each visitor the id names and the decision a GET of `path`
 * would make for them, with its trace (http/debug.ts's document), made
 * read-only: looking records no view and counts no exposure.
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
import { holdsAnything, type VisitorExport } from '../core/privacy/index.js';

/** The visitor id of a `/admin/api/profiles/ID` path, if it is one. */
export function profileIdOf(path: string): string | undefined {
  return /^\/admin\/api\/profiles\/([^/]+)$/.exec(path)?.[1];
}

/** The id of a `/admin/api/profiles/ID/trace` path, if it is one. */
export function traceIdOf(path: string): string | undefined {
  return /^\/admin\/api\/profiles\/([^/]+)\/trace$/.exec(path)?.[1];
}

const TRACED_VISITORS = 5;

const sum = (node: Record<string, number>) => Object.values(node).reduce((a, b) => a + b, 0);

/** What the lookup shows of a profile: the strongest affinities, event counts, recent items, traits' names. */
function summaryOf(x: VisitorExport) {
  const p = x.profile;
  const affinities = p
    ? Object.entries(p.affinities)
        .map(([key, nodes]) => ({ key, weight: Math.round(sum(nodes) * 1000) / 1000 }))
        .sort((a, b) => b.weight - a.weight)
        .slice(0, 8)
    : [];
  const times = x.events.map((e) => e.ts);
  return {
    visitor: x.id,
    consent: x.consent,
    linkedUser: x.links.canonical,
    linkedDevices: x.links.aliases.length,
    events: x.events.length,
    firstEvent: times.length ? Math.min(...times) : null,
    lastEvent: times.length ? Math.max(...times) : null,
    counts: p
      ? Object.fromEntries(Object.entries(p.counts).map(([k, n]) => [k, Math.round(sum(n) * 100) / 100]))
      : {},
    affinities,
    recent: p ? p.recent.slice(0, 8) : [],
    traits: p ? Object.keys(p.traits) : [],
  };
}

async function traceReply(req: RequestLike, id: string, ctx: RouteContext): Promise<Reply> {
  if (req.method !== 'GET') throw new TesseraError(405, '[tessera] [admin] use GET for a trace');
  const asked = new URL(req.url, 'http://local').searchParams.get('path') ?? '/';
  if (!asked.startsWith('/') || asked.startsWith('//') || asked.length > 500)
    throw new TesseraError(400, '[tessera] [admin] path must be a site path, like /product/p-0001');
  const direct = await ctx.profiles.export(id);
  let exports: VisitorExport[];
  let pseudonyms: string[] = [];
  if (holdsAnything(direct)) exports = [direct];
  else {
    const linked = await ctx.profiles.linked(id);
    if (linked.visitors.length === 0)
      throw new TesseraError(404, '[tessera] [admin] nothing is held about that id, user id or email');
    pseudonyms = linked.pseudonyms;
    exports = await Promise.all(linked.visitors.slice(0, TRACED_VISITORS).map((v) => ctx.profiles.export(v)));
  }
  const visitors = [];
  for (const x of exports)
    visitors.push({
      ...summaryOf(x),
      decision: await ctx.traceAs(x.id, { path: asked, consent: x.consent }),
    });
  return jsonReply(200, { path: asked, pseudonyms, visitors });
}

export async function handleProfilesApi(req: RequestLike, path: string, ctx: RouteContext): Promise<Reply> {
  const traced = traceIdOf(path);
  if (traced !== undefined && traced.length <= 200) return traceReply(req, traced, ctx);
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
  if (id !== undefined) return { route: '/admin/api/profiles/:id', target: await ctx.profiles.pseudonym(id) };
  const traced = traceIdOf(path);
  if (traced === undefined) return undefined;
  return { route: '/admin/api/profiles/:id/trace', target: await ctx.profiles.pseudonym(traced) };
}
