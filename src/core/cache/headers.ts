/**
 * Cache-Control and Vary for assembled pages, and the one rule every reply
 * obeys: a reply that sets a cookie is `private`.
 *
 * Why these values:
 * - A page made for one visitor must never sit in a shared cache. That is
 *   every page of a visitor with an id (consent given): recommendations,
 *   exploration and experiment arms come from their id and profile, and
 *   segments from their profile. `Vary: Cookie` would not save such a page
 *   either way: a cache that honours it keys on the whole cookie header,
 *   which holds the visitor's own id, so it would never share the page; a
 *   cache that ignores it would hand one visitor's page to the next. So
 *   `private` (out of CDNs and proxies) and `no-cache` (the browser
 *   revalidates, so a page rendered before a click does not come back from
 *   the back-forward cache as fresh).
 * - A page made from the request alone (no id: opt-in before consent, GPC)
 *   is the same for every request with the same URL and the same values of
 *   the headers it read. Shared caches may keep it briefly (`s-maxage=60`: a
 *   change of rules, content or model reaches everyone within a minute);
 *   browsers revalidate (`max-age=0`). Vary names those headers (the caller
 *   passes them, see context-dependence.ts) plus `Cookie` (the consent
 *   cookie decides whether a page is personalized at all) and `Sec-GPC`,
 *   `DNT` (they decide it too).
 * - Any reply with `Set-Cookie` is made private where replies are finished
 *   (`privateWhenSettingCookies`, called once by the engine for every route:
 *   pages, `/collect`, `/privacy`, assets, admin): a shared cache that
 *   stored it would hand that cookie, an id among them, to everyone.
 * @module
 */
import type { Reply } from '../http/reply.js';

export interface CacheHeaderInput {
  /** The page used the visitor's id or profile (anything besides the request itself). */
  perVisitor: boolean;
  /** Request headers the page's content was derived from, e.g. `Sec-CH-UA-Mobile`. */
  varyOn: readonly string[];
  /** Seconds a shared cache may keep a page made from the request alone; default 60. */
  sharedMaxAge?: number;
}

export interface CacheHeaders {
  'cache-control': string;
  vary: string;
}

export const PRIVATE_CACHE_CONTROL = 'private, no-cache';

export function cacheHeaders(input: CacheHeaderInput): CacheHeaders {
  const cacheControl = input.perVisitor
    ? PRIVATE_CACHE_CONTROL
    : `public, max-age=0, s-maxage=${Math.max(0, Math.floor(input.sharedMaxAge ?? 60))}`;
  return { 'cache-control': cacheControl, vary: varyList([...input.varyOn, 'Cookie', 'Sec-GPC', 'DNT']) };
}

/**
 * The reply, with `Cache-Control: private, no-cache` when it sets a cookie
 * and does not say `private` or `no-store` already. One rule at the one
 * place every reply passes, so no route can forget it.
 */
export function privateWhenSettingCookies(reply: Reply): Reply {
  if (reply.cookies.length === 0) return reply;
  // A copy: the headers object may be shared (an origin's, a memo's).
  const headers: Record<string, string> = {};
  let current: string | undefined;
  for (const [name, value] of Object.entries(reply.headers)) {
    if (name.toLowerCase() === 'cache-control') current = value;
    else headers[name] = value;
  }
  const kept = current !== undefined && /(^|[\s,])(private|no-store)([\s,=]|$)/i.test(current);
  headers['cache-control'] = kept ? current! : PRIVATE_CACHE_CONTROL;
  return { ...reply, headers };
}

/** Header names deduplicated case-insensitively, first spelling and order kept. */
function varyList(names: readonly string[]): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of names) {
    const name = raw.trim();
    const lower = name.toLowerCase();
    if (name === '' || seen.has(lower)) continue;
    seen.add(lower);
    out.push(name);
  }
  return out.join(', ');
}
