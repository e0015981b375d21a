/**
 * `/admin` as an engine route: the dashboard page and its JSON API, both
 * behind `authorizeAdmin` with the route's scope, every call written to the
 * audit log. Opening `/admin?token=…` once stores the token in an HttpOnly,
 * SameSite=Strict cookie scoped to `/admin`, so the page and its fetches
 * need no header.
 * @module
 */
import type { RequestLike } from '../core/context.js';
import type { EngineRoute } from '../core/engine.js';
import { isTesseraError, TesseraError } from '../core/errors.js';
import type { EngineState } from '../core/http/engine-state.js';
import { errorReply, type Reply } from '../core/http/reply.js';
import { cspHash, dashboardCsp, securityHeaders } from '../core/http/security-headers.js';
import { handleAdminApi } from './api.js';
import type { AuditSink } from './audit.js';
import { ADMIN_COOKIE, type AdminAuth, authorizeAdmin, presentedToken, scopeFor } from './auth.js';
import { DASHBOARD_SCRIPT, DASHBOARD_STYLE, dashboardHtml } from './dashboard.js';
import { handleProfilesApi, profileIdOf } from './profiles-api.js';
import type { Principal, TokenBook } from './tokens.js';

export interface AdminOptions {
  /** `TESSERA_ADMIN_TOKEN`: a token with every scope. */
  token: string | undefined;
  /** Scoped tokens (hashes); default none. Without either, the admin routes answer 404. */
  tokens?: TokenBook;
  /** Where each call is recorded; default nowhere. */
  audit?: AuditSink;
  /** Mark the cookie Secure (default false, for plain-http localhost). */
  secureCookie?: boolean;
}

const NO_TOKENS: TokenBook = { records: () => [] };

/** The experiment key or visitor id a call is about, for the audit log. */
function targetOf(path: string): string | undefined {
  const visitor = profileIdOf(path);
  if (visitor !== undefined) return visitor;
  const m = /^\/admin\/api\/experiments\/([^/]+)/.exec(path);
  return m?.[1];
}

let dashboardHeaders: Promise<Record<string, string>> | undefined;
function dashboardSecurity(): Promise<Record<string, string>> {
  dashboardHeaders ??= Promise.all([cspHash(DASHBOARD_SCRIPT), cspHash(DASHBOARD_STYLE)]).then(([js, css]) =>
    securityHeaders(dashboardCsp(js, css)),
  );
  return dashboardHeaders;
}

async function serve(
  req: RequestLike,
  path: string,
  state: EngineState,
  o: AdminOptions,
  auth: AdminAuth,
  seen: { principal?: Principal },
): Promise<Reply> {
  const url = new URL(req.url, 'http://local');
  const scope = scopeFor(req.method, path);
  if (path.startsWith('/admin/api/')) {
    await authorizeAdmin(auth, presentedToken(req), scope, seen);
    if (path.startsWith('/admin/api/profiles')) return await handleProfilesApi(req, path, state);
    return await handleAdminApi(req, path, state);
  }
  if (path !== '/admin' && path !== '/admin/')
    throw new TesseraError(404, `[tessera] [admin] no page ${path}`);
  const fromQuery = url.searchParams.get('token') ?? undefined;
  await authorizeAdmin(auth, fromQuery ?? presentedToken(req), 'read:stats', seen);
  const cookies = fromQuery
    ? [
        `${ADMIN_COOKIE}=${encodeURIComponent(fromQuery)}; Path=/admin; HttpOnly; SameSite=Strict${o.secureCookie ? '; Secure' : ''}`,
      ]
    : [];
  return {
    status: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      ...(await dashboardSecurity()),
    },
    cookies,
    body: dashboardHtml(state.compiled.site.name),
  };
}

export function adminRoute(o: AdminOptions): EngineRoute {
  const auth: AdminAuth = { tokens: o.tokens ?? NO_TOKENS, envToken: o.token || undefined };
  return {
    prefix: '/admin',
    async handle(req, state, path): Promise<Reply> {
      const seen: { principal?: Principal } = {};
      let reply: Reply;
      try {
        reply = await serve(req, path, state, o, auth, seen);
      } catch (e) {
        if (!isTesseraError(e)) {
          o.audit?.write(entry(req, path, 500, seen));
          throw e;
        }
        reply = errorReply(e);
      }
      o.audit?.write(entry(req, path, reply.status, seen));
      return reply;
    },
  };
}

function entry(req: RequestLike, path: string, status: number, seen: { principal?: Principal }) {
  const target = targetOf(path);
  return {
    time: new Date().toISOString(),
    token: seen.principal?.name ?? 'none',
    method: req.method,
    route: path,
    status,
    ...(target !== undefined ? { target } : {}),
  };
}
