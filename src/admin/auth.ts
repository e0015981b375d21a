/**
 * The one admin check: a bearer token (`Authorization: Bearer …`) matched by
 * hash against the scoped tokens, or the dashboard's session (the
 * `tsr_admin` cookie set after `/admin?token=…` names a session, never the
 * token), then the route's scope. 401 when no known token or live session is
 * presented, 403 when the token lacks the scope.
 *
 * A cookie rides along with any request the browser makes to `/admin`, also
 * one a shop page's script or another site starts, so an API call on the
 * session must also prove it comes from the dashboard itself: no cross-site
 * `Origin`/`Sec-Fetch-Site`, and the session's CSRF value in
 * `X-Tessera-CSRF` (only the dashboard page carries it). A bearer token is
 * no ambient authority and needs neither.
 * @module
 */
import type { RequestLike } from '../core/context.js';
import { TesseraError } from '../core/errors.js';
import { CSRF_HEADER, crossSiteReason } from '../core/http/same-origin.js';
import type { AdminSession } from './sessions.js';
import {
  authenticate,
  type Principal,
  principalOfHash,
  type Scope,
  sameHash,
  type TokenBook,
  type TokenRecord,
} from './tokens.js';

export const ADMIN_COOKIE = 'tsr_admin';

function cookieValue(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** The bearer token the request presents, if any. */
export function bearerToken(req: RequestLike): string | undefined {
  const auth = req.headers.get('authorization');
  if (auth?.toLowerCase().startsWith('bearer ')) return auth.slice(7).trim();
  return undefined;
}

/** The dashboard session id the request's cookie names, if any. */
export function sessionCookie(req: RequestLike): string | undefined {
  return cookieValue(req.headers.get('cookie'), ADMIN_COOKIE);
}

/**
 * The scope a call needs: reading statistics (and the dashboard),
 * changing experiments, moving the model registry's production alias, or
 * reading and erasing visitors' data (and tracing a decision as one of them).
 */
export function scopeFor(method: string, path: string): Scope {
  if (path.startsWith('/admin/api/profiles')) return 'admin:profiles';
  if (method === 'GET' || method === 'HEAD') return 'read:stats';
  if (path.startsWith('/admin/api/models/')) return 'write:models';
  return 'write:config';
}

export interface AdminAuth {
  tokens: TokenBook;
  /** `TESSERA_ADMIN_TOKEN`: a token with every scope (bootstrap and development). */
  envToken: string | undefined;
}

async function enabledRecords(auth: AdminAuth): Promise<readonly TokenRecord[]> {
  const records = await auth.tokens.records();
  if (!auth.envToken && records.length === 0)
    throw new TesseraError(
      404,
      '[tessera] [admin] disabled: create a token with `tessera admin token` or set TESSERA_ADMIN_TOKEN',
    );
  return records;
}

function requireScope(principal: Principal, scope: Scope): Principal {
  if (!principal.scopes.includes(scope))
    throw new TesseraError(403, `[tessera] [admin] token "${principal.name}" lacks the scope ${scope}`);
  return principal;
}

/**
 * The caller, if their token holds `scope`; throws 404 when admin is off
 * (no token anywhere), 401 without a known token, 403 without the scope.
 * `principal` is filled in as soon as the token is known, for the audit log.
 */
export async function authorizeAdmin(
  auth: AdminAuth,
  presented: string | undefined,
  scope: Scope,
  seen: { principal?: Principal } = {},
): Promise<Principal> {
  const records = await enabledRecords(auth);
  if (presented === undefined || presented === '')
    throw new TesseraError(401, '[tessera] [admin] missing bearer token');
  const principal = await authenticate(presented, records, auth.envToken);
  if (!principal) throw new TesseraError(401, '[tessera] [admin] unknown token');
  seen.principal = principal;
  return requireScope(principal, scope);
}

/**
 * `authorizeAdmin` for a dashboard session: 401 when it is unknown or
 * expired (`session` undefined) or its token was revoked since.
 */
export async function authorizeSession(
  auth: AdminAuth,
  session: AdminSession | undefined,
  scope: Scope,
  seen: { principal?: Principal } = {},
): Promise<Principal> {
  const records = await enabledRecords(auth);
  if (!session)
    throw new TesseraError(401, '[tessera] [admin] session unknown or expired: open /admin?token=… again');
  const principal = await principalOfHash(session.tokenHash, records, auth.envToken);
  if (!principal) throw new TesseraError(401, '[tessera] [admin] the token behind this session was revoked');
  seen.principal = principal;
  return requireScope(principal, scope);
}

/** 403 unless a session-authenticated API call comes from the dashboard's own script. */
export function checkDashboardOrigin(req: RequestLike, session: AdminSession): void {
  const crossSite = crossSiteReason(req);
  if (crossSite !== undefined)
    throw new TesseraError(403, `[tessera] [admin] cross-site call refused: ${crossSite}`);
  const csrf = req.headers.get(CSRF_HEADER);
  if (csrf === null || !sameHash(csrf, session.csrf))
    throw new TesseraError(
      403,
      `[tessera] [admin] a call with the session cookie needs the dashboard's ${CSRF_HEADER} header (scripts: use Authorization: Bearer)`,
    );
}
