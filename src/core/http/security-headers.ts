/**
 * Security headers for every HTML response: the shop's pages and the admin
 * dashboard. One place, so a page cannot forget one. The shop's templates
 * load their script and stylesheet from the site itself and use no inline
 * script, style attribute or event handler, so the policy can forbid all
 * inline code; the dashboard carries its script and style inline and allows
 * exactly those by hash (see `dashboardSecurityHeaders`).
 * @module
 */

/** The demo shop's policy: everything from the site itself, nothing inline. */
export const SHOP_CSP = [
  "default-src 'self'",
  "img-src 'self' data:",
  "script-src 'self'",
  "style-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers every HTML page gets, whatever its policy. */
const COMMON: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'x-frame-options': 'DENY',
  // Features the shop never uses; a script injected into it cannot either.
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()',
};

/** The headers for a page under the policy `csp` (default: the shop's). */
export function securityHeaders(csp: string = SHOP_CSP): Record<string, string> {
  return { ...COMMON, 'content-security-policy': csp };
}

/** Frozen once: the page path merges it into every HTML reply without rebuilding it. */
export const SHOP_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze(securityHeaders());

/**
 * The dashboard's stricter policy: no source but its own API for fetches,
 * and only the one inline script and style whose hashes are given.
 */
export function dashboardCsp(scriptHash: string, styleHash: string): string {
  return [
    "default-src 'none'",
    `script-src '${scriptHash}'`,
    `style-src '${styleHash}'`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** `sha256-…` of a text, the CSP way (base64 of the digest), via WebCrypto. */
export async function cspHash(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  let bin = '';
  for (const b of new Uint8Array(digest)) bin += String.fromCharCode(b);
  return `sha256-${btoa(bin)}`;
}
