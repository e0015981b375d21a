/**
 * The cross-site request check for state-changing calls (`/collect`,
 * `DELETE /privacy/me`, the admin API with its session cookie). A browser
 * attaches the visitor's cookies to a cross-site `text/plain` POST or a form
 * without asking anyone (CORS only guards reading the answer), so the server
 * must look at who sent it: `Origin`, when present, must be the request's own
 * origin (or one the site allows), and `Sec-Fetch-Site: cross-site` is
 * refused. A request without either header (server to server, curl, an old
 * client) carries no ambient browser authority and passes.
 * @module
 */
import type { RequestLike } from '../context.js';

/** The header a page script sends on calls that need it; cross-origin pages cannot without a preflight. */
export const CSRF_HEADER = 'x-tessera-csrf';

/**
 * The origins this request was addressed to: its URL's, and the `https`
 * one when a TLS-terminating proxy says so (`X-Forwarded-Proto`), since the
 * browser's `Origin` names the scheme it used.
 */
export function ownOrigins(req: RequestLike): string[] {
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return [];
  }
  const own = [`${url.protocol}//${url.host}`];
  const proto = req.headers.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  if (proto === 'https' || proto === 'http') own.push(`${proto}://${url.host}`);
  return own;
}

/** Why a browser request must be refused as cross-site, or undefined when it may go on. */
export function crossSiteReason(req: RequestLike, allowed: readonly string[] = []): string | undefined {
  const origin = req.headers.get('origin');
  if (origin !== null) {
    const o = origin.toLowerCase();
    if (ownOrigins(req).includes(o) || allowed.includes(o)) return undefined;
    return `Origin ${origin.slice(0, 100)} is not this site's`;
  }
  if (req.headers.get('sec-fetch-site') === 'cross-site') return 'Sec-Fetch-Site is cross-site';
  return undefined;
}

/** `https://Shop.example/` → `https://shop.example`: how an allow-list entry compares to `Origin`. */
export function normalizeOrigin(entry: string): string {
  try {
    return new URL(entry).origin.toLowerCase();
  } catch {
    return entry.trim().toLowerCase();
  }
}
