/**
 * `/admin` as an engine route: the dashboard page and its JSON API, both
 * behind a bearer token or a dashboard session with the route's scope, every
 * call written to the audit log (unauthenticated noise throttled).
 *
 * Opening `/admin?token=…` answers 303 to `/admin` at once, so the token
 * leaves the address bar, the history and every later `Referer`; the
 * `tsr_admin` cookie it sets names a server-side session (random id, one
 * hour, `Path=/admin; HttpOnly; SameSite=Strict`, `Secure` over HTTPS).
 * Every admin answer says `Referrer-Policy: no-referrer`. The page is served
 * only to a top-level navigation (not to a script's fetch or a frame), with
 * `Cross-Origin-Opener-Policy: same-origin` so a shop page that opens it
 * gets no handle on it: a script on the shop's origin cannot read the
 * session's CSRF value, and without it the API refuses the cookie.
 * @module
 */
import type { RequestLike } from '../core/context.js';
import type { EngineRoute, RouteContext } from '../core/engine-api.js';
import { isTesseraError, TesseraError } from '../core/errors.js';
import { errorReply, jsonReply, type Reply } from '../core/http/reply.js';
import { cspHash, dashboardCsp, securityHeaders } from '../core/http/security-headers.js';
import { handleAdminApi } from './api.js';
import { type AuditEntry, type AuditSink, auditRoute, throttleUnauthenticated } from './audit.js';
import {
  ADMIN_COOKIE,
  type AdminAuth,
  authorizeAdmin,
  authorizeSession,
  bearerToken,
  checkDashboardOrigin,
  scopeFor,
  sessionCookie,
} from './auth.js';
import { type ChartLibrary, dashboardAssets, dashboardHtml } from './dashboard.js';
import { createExperimentHistory, type ExperimentHistory } from './experiment-history.js';
import { handleLiveApi, type ModelRegistryView } from './live-api.js';
import type { LiveSeries } from './live-series.js';
import { handleModelMoves, type ModelMoves } from './models-api.js';
import { handleProfilesApi, profileIdOf, profilesAuditTarget } from './profiles-api.js';
import { memorySessionBook, type SessionBook } from './sessions.js';
import { hashToken, type Principal, type TokenBook } from './tokens.js';

export interface AdminOptions {
  /** `TESSERA_ADMIN_TOKEN`: a token with every scope. */
  token: string | undefined;
  /** Scoped tokens (hashes); default none. Without either, the admin routes answer 404. */
  tokens?: TokenBook;
  /** Where each call is recorded; default nowhere. */
  audit?: AuditSink;
  /**
   * Mark the session cookie Secure even on plain http (behind a proxy that
   * does not say `X-Forwarded-Proto`). It is Secure anyway over HTTPS and
   * when the engine's `settings.secureCookies` is on.
   */
  secureCookie?: boolean;
  /** Where dashboard sessions live; default in memory, one hour each. */
  sessions?: SessionBook;
  /** The live series the dashboard charts (`/admin/api/live`); the host tees its observer into the engine. */
  live?: LiveSeries;
  /**
   * The model registry the models panel shows (`/admin/api/models`); a whole
   * model store also takes the panel's rollback and promote (`write:models`).
   */
  models?: ModelMoves['models'];
  /** Tell the other nodes that production moved (Node: over the bus); they poll the store anyway. */
  announceModel?: (version: string) => void;
  /** The model lifecycle's state (a candidate's rollout), for the models panel. */
  lifecycle?: () => Record<string, unknown> | undefined;
  /** uPlot, inlined into the page; without it the page shows tables only. */
  charts?: ChartLibrary;
}

const NO_TOKENS: TokenBook = { records: () => [] };

/** The experiment key or visitor id a call is about, for the audit log. */
function targetOf(path: string): string | undefined {
  const visitor = profileIdOf(path);
  if (visitor !== undefined) return visitor;
  const m = /^\/admin\/api\/experiments\/([^/]+)/.exec(path);
  return m?.[1];
}

/** The page's script and style and the CSP that allows exactly those two (computed once per route). */
function dashboardPage(charts: ChartLibrary | undefined) {
  const assets = dashboardAssets(charts ?? { script: '', style: '' });
  let headers: Promise<Record<string, string>> | undefined;
  return {
    assets,
    headers() {
      headers ??= Promise.all([cspHash(assets.script), cspHash(assets.style)]).then(([js, css]) =>
        securityHeaders(dashboardCsp(js, css)),
      );
      return headers;
    },
  };
}

function isHttps(req: RequestLike): boolean {
  if (req.url.startsWith('https:')) return true;
  return req.headers.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase() === 'https';
}

/** `/admin?token=…`: trade the token for a session and drop it from the URL. */
async function openSession(req: RequestLike, token: string, ctx: RouteContext, o: Options): Promise<Reply> {
  await authorizeAdmin(o.auth, token, 'read:stats', o.seen);
  const { id } = await o.sessions.open(await hashToken(token), ctx.now());
  const secure = o.secureCookie || ctx.settings.secureCookies || isHttps(req);
  const maxAge = Math.floor(o.sessions.ttlMs / 1000);
  return {
    status: 303,
    headers: { location: '/admin', 'cache-control': 'no-store' },
    cookies: [
      `${ADMIN_COOKIE}=${id}; Path=/admin; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`,
    ],
    body: null,
  };
}

interface Options {
  auth: AdminAuth;
  page: ReturnType<typeof dashboardPage>;
  live: {
    live?: LiveSeries;
    models?: ModelRegistryView;
    lifecycle?: () => Record<string, unknown> | undefined;
  };
  moves: ModelMoves;
  history: ExperimentHistory;
  sessions: SessionBook;
  secureCookie: boolean;
  seen: { principal?: Principal };
}

async function serve(req: RequestLike, path: string, ctx: RouteContext, o: Options): Promise<Reply> {
  const url = new URL(req.url, 'http://local');
  const scope = scopeFor(req.method, path);
  const bearer = bearerToken(req);
  const sessionId = bearer === undefined ? sessionCookie(req) : undefined;
  const session = sessionId ? await o.sessions.find(sessionId, ctx.now()) : undefined;
  const authorize = () =>
    sessionId !== undefined
      ? authorizeSession(o.auth, session, scope, o.seen)
      : authorizeAdmin(o.auth, bearer, scope, o.seen);
  if (path.startsWith('/admin/api/')) {
    await authorize();
    if (session) checkDashboardOrigin(req, session);
    if (path.startsWith('/admin/api/profiles')) return await handleProfilesApi(req, path, ctx);
    const moved = await handleModelMoves(req, path, ctx, o.moves);
    if (moved) return moved;
    if (path === '/admin/api/history') {
      if (req.method !== 'GET') throw new TesseraError(405, '[tessera] [admin] use GET for the history');
      return jsonReply(200, { experiments: o.history.json(ctx.experiments) });
    }
    const live = await handleLiveApi(req.method, path, ctx, o.live);
    if (live) return live;
    return await handleAdminApi(req, path, ctx.experiments, ctx.settings);
  }
  if (path !== '/admin' && path !== '/admin/')
    throw new TesseraError(404, `[tessera] [admin] no page ${path}`);
  const fromQuery = url.searchParams.get('token');
  if (fromQuery !== null && req.method === 'GET') return openSession(req, fromQuery, ctx, o);
  await authorize();
  // A script's fetch or a frame must not read the page: it carries the CSRF value.
  const dest = req.headers.get('sec-fetch-dest');
  if (dest !== null && dest !== 'document')
    throw new TesseraError(
      403,
      `[tessera] [admin] the dashboard opens as a page, not as ${dest.slice(0, 20)}`,
    );
  return {
    status: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      ...(await o.page.headers()),
      'cross-origin-opener-policy': 'same-origin',
    },
    cookies: [],
    body: dashboardHtml(ctx.settings.siteName, session?.csrf ?? '', o.page.assets),
  };
}

export function adminRoute(options: AdminOptions): EngineRoute {
  const auth: AdminAuth = { tokens: options.tokens ?? NO_TOKENS, envToken: options.token || undefined };
  const sessions = options.sessions ?? memorySessionBook();
  // The experiments' history: the trail's earlier entries, then every one written from here on.
  const history = createExperimentHistory(Date.now(), options.audit?.read?.() ?? []);
  const throttled = options.audit && throttleUnauthenticated(options.audit);
  const audit: AuditSink = {
    write(e) {
      history.audit(e);
      throttled?.write(e);
    },
  };
  const page = dashboardPage(options.charts);
  const live = {
    ...(options.live ? { live: options.live } : {}),
    ...(options.models ? { models: options.models } : {}),
    ...(options.lifecycle ? { lifecycle: options.lifecycle } : {}),
  };
  const moves: ModelMoves = {
    ...(options.models ? { models: options.models } : {}),
    ...(options.announceModel ? { announce: options.announceModel } : {}),
  };
  return {
    prefix: '/admin',
    async handle(req, ctx, path): Promise<Reply> {
      const seen: { principal?: Principal } = {};
      const o: Options = {
        auth,
        page,
        live,
        moves,
        history,
        sessions,
        secureCookie: options.secureCookie ?? false,
        seen,
      };
      let reply: Reply;
      try {
        reply = await serve(req, path, ctx, o);
      } catch (e) {
        if (!isTesseraError(e)) {
          audit.write(await entry(req, path, 500, seen, ctx));
          throw e;
        }
        reply = errorReply(e);
      }
      audit.write(await entry(req, path, reply.status, seen, ctx));
      // Admin URLs (visitor ids, experiment keys) never leave in a Referer.
      reply.headers['referrer-policy'] = 'no-referrer';
      return reply;
    },
  };
}

async function entry(
  req: RequestLike,
  path: string,
  status: number,
  seen: { principal?: Principal },
  ctx: RouteContext,
): Promise<AuditEntry> {
  // A profile call names a person: the trail keeps its pseudonym, never the id.
  const profile = await profilesAuditTarget(path, ctx);
  const target = profile?.target ?? targetOf(path);
  return {
    time: new Date(ctx.now()).toISOString(),
    token: seen.principal?.name ?? 'none',
    method: req.method.slice(0, 16),
    ...(profile ? { route: profile.route } : auditRoute(path)),
    status,
    ...(target !== undefined ? { target: target.slice(0, 200) } : {}),
  };
}
