/**
 * Size checks the core makes itself, on top of what the runtime enforces
 * (Node: header bytes and count; body size streams against its limit). An
 * oversized URL or cookie header gets a clear 414/431 instead of being
 * silently ignored (a dropped cookie header would mint a new visitor).
 * @module
 */
import type { RequestLike } from '../context.js';
import { TesseraError } from '../errors.js';

export interface SizeLimits {
  /** Longest URL (path and query), UTF-16 units (default 8192). */
  maxUrlLength: number;
  /** Longest Cookie header, UTF-16 units (default 8192, what the cookie parser reads). */
  maxCookieLength: number;
}

export const DEFAULT_SIZE_LIMITS: SizeLimits = { maxUrlLength: 8192, maxCookieLength: 8192 };

/** 414 when the URL is longer than allowed. */
export function checkUrlLength(req: RequestLike, limits: SizeLimits): void {
  if (req.url.length > limits.maxUrlLength) {
    throw new TesseraError(414, `[tessera] URL is longer than ${limits.maxUrlLength} characters`);
  }
}

/** 431 when the Cookie header is longer than the parser reads. */
export function checkCookieLength(req: RequestLike, limits: SizeLimits): void {
  const cookie = req.headers.get('cookie');
  if (cookie !== null && cookie.length > limits.maxCookieLength) {
    throw new TesseraError(
      431,
      `[tessera] Cookie header is longer than ${limits.maxCookieLength} characters`,
    );
  }
}
