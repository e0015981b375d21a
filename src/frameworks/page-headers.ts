/**
 * The headers of a page the framework rendered and Tessera personalized.
 * The site keeps what is its own (its security policy, its session cookies,
 * its custom headers); Tessera sets what personalization changes: the body's
 * type and length, caching (a page made for a visitor is private, a
 * variant's page varies on what it read), the variant key, Server-Timing and
 * its own cookies.
 * @module
 */

/**
 * The demo shop's choices the page path adds to every page: for a site
 * behind middleware these are the site's to make (a strict CSP written for
 * the shop would break a framework's inline scripts), so they are dropped.
 */
const SITE_OWNED = new Set([
  'content-security-policy',
  'x-frame-options',
  'referrer-policy',
  'permissions-policy',
]);

/** The framework's headers that no longer describe the rewritten body. */
const STALE = new Set(['content-length', 'content-type', 'content-encoding', 'etag', 'transfer-encoding']);

/** Merged per the rules above; `set-cookie` lines are kept apart (the framework's first, then Tessera's). */
export function mergePageHeaders(
  framework: Iterable<[string, string]>,
  tessera: Record<string, string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [raw, value] of framework) {
    const name = raw.toLowerCase();
    if (name === 'set-cookie' || STALE.has(name)) continue;
    out[name] = value;
  }
  for (const [name, value] of Object.entries(tessera)) {
    if (SITE_OWNED.has(name)) continue;
    if (name === 'vary' && out.vary) out.vary = unionVary(out.vary, value);
    else out[name] = value;
  }
  return out;
}

function unionVary(a: string, b: string): string {
  const seen = new Map<string, string>();
  for (const part of `${a},${b}`.split(',')) {
    const v = part.trim();
    if (v && !seen.has(v.toLowerCase())) seen.set(v.toLowerCase(), v);
  }
  return [...seen.values()].join(', ');
}

/** Whether a framework's answer is a page Tessera personalizes: a GET answered 200 with uncompressed HTML. */
export function isPersonalizable(
  method: string,
  status: number,
  contentType: string | null | undefined,
  contentEncoding: string | null | undefined,
): boolean {
  return (
    method === 'GET' &&
    status === 200 &&
    typeof contentType === 'string' &&
    contentType.toLowerCase().includes('text/html') &&
    (!contentEncoding || contentEncoding === 'identity')
  );
}
