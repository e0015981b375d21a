/**
 * The one admin check: a bearer token (`Authorization: Bearer …`) or the
 * `tsr_admin` cookie the dashboard sets after `/admin?token=…`. A later
 * change replaces this with scoped tokens; every admin route calls only this.
 * @module
 */
import type { RequestLike } from '../core/context.js';
import { TesseraError } from '../core/errors.js';

export const ADMIN_COOKIE = 'tsr_admin';

/** Compare without an early exit, so timing says nothing about the token. */
function sameText(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++)
    diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}

function cookieValue(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

/** The token the request presents, if any. */
export function presentedToken(req: RequestLike): string | undefined {
  const auth = req.headers.get('authorization');
  if (auth?.toLowerCase().startsWith('bearer ')) return auth.slice(7).trim();
  return cookieValue(req.headers.get('cookie'), ADMIN_COOKIE);
}

/** Throws 401/403/404 unless the request carries the admin token. */
export function authorizeAdmin(
  req: RequestLike,
  token: string | undefined,
  presented = presentedToken(req),
): void {
  if (!token) throw new TesseraError(404, '[tessera] [admin] disabled: set TESSERA_ADMIN_TOKEN to enable it');
  if (presented === undefined) throw new TesseraError(401, '[tessera] [admin] missing bearer token');
  if (!sameText(presented, token)) throw new TesseraError(403, '[tessera] [admin] wrong token');
}
