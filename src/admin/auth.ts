/**
 * The one admin check: a bearer token (`Authorization: Bearer …`) or the
 * `tsr_admin` cookie the dashboard sets after `/admin?token=…`, matched by
 * hash against the scoped tokens, then the route's scope. 401 when no known
 * token is presented, 403 when the token lacks the scope; every admin route
 * calls only this.
 * @module
 */
import type { RequestLike } from '../core/context.js';
import { TesseraError } from '../core/errors.js';
import { authenticate, type Principal, type Scope, type TokenBook } from './tokens.js';

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

/** The token the request presents, if any. */
export function presentedToken(req: RequestLike): string | undefined {
  const auth = req.headers.get('authorization');
  if (auth?.toLowerCase().startsWith('bearer ')) return auth.slice(7).trim();
  return cookieValue(req.headers.get('cookie'), ADMIN_COOKIE);
}

/**
 * The scope a call needs: reading statistics (and the dashboard),
 * changing experiments, or reading and erasing visitors' data.
 */
export function scopeFor(method: string, path: string): Scope {
  if (path.startsWith('/admin/api/profiles')) return 'admin:profiles';
  if (method === 'GET' || method === 'HEAD') return 'read:stats';
  return 'write:config';
}

export interface AdminAuth {
  tokens: TokenBook;
  /** `TESSERA_ADMIN_TOKEN`: a token with every scope (bootstrap and development). */
  envToken: string | undefined;
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
  const records = await auth.tokens.records();
  if (!auth.envToken && records.length === 0)
    throw new TesseraError(
      404,
      '[tessera] [admin] disabled: create a token with `tessera admin token` or set TESSERA_ADMIN_TOKEN',
    );
  if (presented === undefined || presented === '')
    throw new TesseraError(401, '[tessera] [admin] missing bearer token');
  const principal = await authenticate(presented, records, auth.envToken);
  if (!principal) throw new TesseraError(401, '[tessera] [admin] unknown token');
  seen.principal = principal;
  if (!principal.scopes.includes(scope))
    throw new TesseraError(403, `[tessera] [admin] token "${principal.name}" lacks the scope ${scope}`);
  return principal;
}
