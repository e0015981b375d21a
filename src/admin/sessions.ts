/**
 * Dashboard sessions: what the `tsr_admin` cookie points to instead of the
 * token itself. Opening `/admin?token=…` trades the token for a random
 * session id with a fixed lifetime; the cookie holds only that id, so a
 * leaked cookie dies with the session and never reveals the token.
 *
 * Kept in memory on the node that opened it (a dashboard reopens with the
 * token after a restart), keyed by the id's SHA-256 so a heap dump holds no
 * usable id, and bounded: the oldest sessions go first.
 * @module
 */
import { hashToken } from './tokens.js';

export interface AdminSession {
  /** Hex SHA-256 of the token the session was opened with (checked again on every call: revocation ends it). */
  tokenHash: string;
  /** What the dashboard sends in `X-Tessera-CSRF`; only its own page knows it. */
  csrf: string;
  /** Epoch ms. */
  expiresAt: number;
}

export interface SessionBook {
  /** Open a session for a token; the id goes into the cookie. */
  open(tokenHash: string, now: number): Promise<{ id: string; session: AdminSession }>;
  /** The live session an id names, or undefined (unknown or expired). */
  find(id: string, now: number): Promise<AdminSession | undefined>;
  readonly ttlMs: number;
}

/** One hour: long enough for a look at the experiments, short enough that a stolen cookie soon dies. */
export const DEFAULT_SESSION_TTL_MS = 3_600_000;
const MAX_SESSIONS = 1000;

/** A random 256-bit id, base64url (a session id or a CSRF value). */
export function newSessionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function memorySessionBook(ttlMs = DEFAULT_SESSION_TTL_MS): SessionBook {
  const byHash = new Map<string, AdminSession>();

  function sweep(now: number): void {
    for (const [k, s] of byHash) if (s.expiresAt <= now) byHash.delete(k);
    // Insertion order is age order: drop the oldest beyond the bound.
    for (const k of byHash.keys()) {
      if (byHash.size < MAX_SESSIONS) break;
      byHash.delete(k);
    }
  }

  return {
    ttlMs,
    async open(tokenHash, now) {
      sweep(now);
      const id = newSessionId();
      const session = { tokenHash, csrf: newSessionId(), expiresAt: now + ttlMs };
      byHash.set(await hashToken(id), session);
      return { id, session };
    },
    async find(id, now) {
      if (id.length > 64) return undefined;
      const key = await hashToken(id);
      const session = byHash.get(key);
      if (!session) return undefined;
      if (session.expiresAt <= now) {
        byHash.delete(key);
        return undefined;
      }
      return session;
    },
  };
}
