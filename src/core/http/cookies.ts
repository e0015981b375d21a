/** Set-Cookie lines for Tessera's three cookies. */
export interface CookieOptions {
  secure: boolean;
  maxAgeSeconds: number;
  httpOnly: boolean;
}

const YEAR = 365 * 24 * 3600;

export function setCookie(name: string, value: string, o: Partial<CookieOptions> = {}): string {
  const parts = [`${name}=${value}`, 'Path=/', `Max-Age=${o.maxAgeSeconds ?? YEAR}`, 'SameSite=Lax'];
  if (o.httpOnly ?? true) parts.push('HttpOnly');
  if (o.secure) parts.push('Secure');
  return parts.join('; ');
}

export function clearCookie(name: string, secure: boolean): string {
  return setCookie(name, '', { maxAgeSeconds: 0, secure });
}
