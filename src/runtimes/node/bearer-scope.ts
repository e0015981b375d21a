/**
 * The engine's permission hooks on a Node app (`canReadStats` for the full
 * `/health`, `canDebug` for a page's decision trace): whether the request's
 * bearer token holds an admin scope. Bearer only: the dashboard's cookie is
 * `Path=/admin`, so a browser never sends it to the shop's pages.
 * @module
 */
import { type AdminAuth, authorizeAdmin, bearerToken } from '../../admin/auth.js';
import type { Scope } from '../../admin/tokens.js';
import type { RequestLike } from '../../core/context.js';

/** A check that the request's bearer token holds `scope`; never rejects. */
export function bearerHolds(auth: AdminAuth, scope: Scope): (req: RequestLike) => Promise<boolean> {
  return async (req) => {
    const token = bearerToken(req);
    if (!token) return false; // load balancers' probes: no token, no file read
    return authorizeAdmin(auth, token, scope).then(
      () => true,
      () => false,
    );
  };
}
