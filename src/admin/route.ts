/**
 * `/admin` as an engine route: the dashboard page and its JSON API, both
 * behind `authorizeAdmin`. Opening `/admin?token=…` once stores the token in
 * an HttpOnly, SameSite=Strict cookie scoped to `/admin`, so the page and
 * its fetches need no header.
 * @module
 */
import type { EngineRoute } from '../core/engine.js';
import { isTesseraError, TesseraError } from '../core/errors.js';
import { errorReply, type Reply } from '../core/http/reply.js';
import { handleAdminApi } from './api.js';
import { ADMIN_COOKIE, authorizeAdmin, presentedToken } from './auth.js';
import { dashboardHtml } from './dashboard.js';

export interface AdminOptions {
  /** The admin token; without one the admin routes answer 404. */
  token: string | undefined;
  /** Mark the cookie Secure (default false, for plain-http localhost). */
  secureCookie?: boolean;
}

export function adminRoute(o: AdminOptions): EngineRoute {
  return {
    prefix: '/admin',
    async handle(req, state): Promise<Reply> {
      const url = new URL(req.url, 'http://local');
      try {
        if (url.pathname.startsWith('/admin/api/')) {
          authorizeAdmin(req, o.token);
          return await handleAdminApi(req, url.pathname, state);
        }
        if (url.pathname !== '/admin' && url.pathname !== '/admin/') {
          throw new TesseraError(404, `[tessera] [admin] no page ${url.pathname}`);
        }
        const fromQuery = url.searchParams.get('token') ?? undefined;
        authorizeAdmin(req, o.token, fromQuery ?? presentedToken(req));
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
            'x-content-type-options': 'nosniff',
          },
          cookies,
          body: dashboardHtml(state.compiled.site.name),
        };
      } catch (e) {
        if (isTesseraError(e)) return errorReply(e);
        throw e;
      }
    },
  };
}
