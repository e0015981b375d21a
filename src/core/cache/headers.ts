/**
 * Cache-Control and Vary for assembled pages.
 *
 * Why these values:
 * - A page with per-visitor content (recommendation holes filled from this
 *   visitor's profile) must never sit in a shared cache: another visitor
 *   would see this one's history. `private` keeps it out of CDNs and
 *   proxies; `no-cache` makes the browser revalidate, so a page rendered
 *   before a click does not come back from the back-forward cache as fresh.
 * - A page whose content depends only on the variant (segments, arms, a few
 *   request headers) is the same for everyone in that variant. Shared caches
 *   may keep it briefly (`s-maxage=60`: a change of rules or content reaches
 *   everyone within a minute); browsers revalidate (`max-age=0`) because the
 *   visitor's own variant can change with their next click.
 * - Vary lists the request headers the variant was derived from (client
 *   hints, geo, Accept-Language) plus `Cookie`, always: segments come from
 *   the profile cookie, experiment arms from the id cookie, and whether the
 *   page is personalized at all from the consent cookie. A cache that ignores
 *   Vary: Cookie would serve one visitor's variant to another. A plain CDN
 *   therefore caches little for cookie-carrying visitors; the real variant
 *   sharing happens in the shell cache under `variantKey`, or in a CDN that
 *   is told to key on that key instead of on the cookie.
 * - Without a profile, visitor slots get the anonymous (popular) content,
 *   which is the same for the whole variant, so such pages are shared too.
 * @module
 */

export interface CacheHeaderInput {
  /** The decision used a profile (consent given and a profile exists). */
  personalized: boolean;
  /** The page has slots filled per visitor (recommendations). */
  hasVisitorSlots: boolean;
  /** Request headers the variant was derived from, e.g. `Sec-CH-UA-Mobile`. */
  varyOn: readonly string[];
  /** Seconds a shared cache may keep a variant page; default 60. */
  sharedMaxAge?: number;
}

export interface CacheHeaders {
  'cache-control': string;
  vary: string;
}

export function cacheHeaders(input: CacheHeaderInput): CacheHeaders {
  const perVisitor = input.personalized && input.hasVisitorSlots;
  const cacheControl = perVisitor
    ? 'private, no-cache'
    : `public, max-age=0, s-maxage=${Math.max(0, Math.floor(input.sharedMaxAge ?? 60))}`;
  return { 'cache-control': cacheControl, vary: varyList([...input.varyOn, 'Cookie']) };
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
