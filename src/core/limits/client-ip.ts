/**
 * The client's IP for per-IP limits. A forwarding header is trusted only when
 * the operator named it (anyone can send `x-forwarded-for` straight to a node);
 * otherwise the socket address the runtime handed in.
 * @module
 */
import type { RequestLike } from '../context.js';

/** A request a runtime built with the peer's address (the Node runtime does). */
export interface RequestWithClientIp extends RequestLike {
  readonly clientIp?: string;
}

const MAX_IP_LENGTH = 64;

/**
 * `trustedHeader`: e.g. `cf-connecting-ip` (one address) or `x-forwarded-for`
 * (a list: the last entry is the one the trusted proxy appended; the ones
 * before it came from the client and may be forged).
 */
export function clientIpOf(req: RequestWithClientIp, trustedHeader: string | undefined): string | undefined {
  if (trustedHeader) {
    const raw = req.headers.get(trustedHeader);
    if (raw) {
      const parts = raw.split(',');
      const ip = (parts[parts.length - 1] ?? '').trim();
      if (ip.length > 0 && ip.length <= MAX_IP_LENGTH) return ip;
    }
  }
  return req.clientIp ? req.clientIp.slice(0, MAX_IP_LENGTH) : undefined;
}
