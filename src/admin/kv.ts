/**
 * Admin tokens and dashboard sessions in a KV namespace, for a host without
 * a file system or a single process (a Cloudflare Worker: many isolates).
 *
 * - Tokens: one key per token, `admin/token/<sha256 hex>`, whose value is
 *   the same record `admin-tokens.json` holds on Node (name, hash, scopes,
 *   createdAt). Only the hash is stored; `tessera admin token --kv` prints
 *   the `wrangler kv key put` that adds one, and deleting the key revokes
 *   it. Listed at most every `cacheMs` per isolate (KV reads are eventually
 *   consistent anyway: a new or revoked token takes up to a minute to be
 *   seen everywhere).
 * - Sessions: `admin/session/<sha256 of the cookie's id>` → the session
 *   (token hash, CSRF value, expiry), with a KV expiration, so any isolate
 *   finds the session another one opened and a heap or KV dump holds no
 *   usable cookie value.
 * @module
 */
import type { KVNamespaceLike } from '../connections/cloudflare-bindings.js';
import { DEFAULT_SESSION_TTL_MS, newSessionId, type SessionBook } from './sessions.js';
import { hashToken, isScope, type TokenBook, type TokenRecord } from './tokens.js';

export const KV_TOKEN_PREFIX = 'admin/token/';
export const KV_SESSION_PREFIX = 'admin/session/';

/** The KV key and value that store `record` (what `tessera admin token --kv` prints). */
export function kvTokenEntry(record: TokenRecord): { key: string; value: string } {
  return { key: `${KV_TOKEN_PREFIX}${record.hash}`, value: JSON.stringify(record) };
}

function parseRecord(text: string | null, hash: string): TokenRecord | undefined {
  if (!text) return undefined;
  try {
    const r = JSON.parse(text) as Partial<TokenRecord>;
    // The key names the hash: a value copied under another key does not authenticate.
    if (r.hash !== hash || typeof r.name !== 'string' || !Array.isArray(r.scopes)) return undefined;
    const scopes = r.scopes.filter(
      (s): s is TokenRecord['scopes'][number] => typeof s === 'string' && isScope(s),
    );
    return { name: r.name, hash, scopes, createdAt: typeof r.createdAt === 'number' ? r.createdAt : 0 };
  } catch {
    return undefined;
  }
}

export function kvTokenBook(
  kv: KVNamespaceLike,
  o: { cacheMs?: number; now?: () => number } = {},
): TokenBook {
  const cacheMs = o.cacheMs ?? 10_000;
  const now = o.now ?? Date.now;
  let cached: { at: number; records: Promise<TokenRecord[]> } | undefined;
  async function load(): Promise<TokenRecord[]> {
    const names: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await kv.list({ prefix: KV_TOKEN_PREFIX, ...(cursor ? { cursor } : {}) });
      for (const k of page.keys) names.push(k.name);
      cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor);
    const records = await Promise.all(
      names.map(async (name) => parseRecord(await kv.get(name, 'text'), name.slice(KV_TOKEN_PREFIX.length))),
    );
    return records.filter((r): r is TokenRecord => r !== undefined);
  }
  return {
    records() {
      const t = now();
      if (!cached || t - cached.at >= cacheMs) {
        const records = load();
        cached = { at: t, records };
        // A failed list is not kept: the next call tries again.
        records.catch(() => {
          if (cached?.records === records) cached = undefined;
        });
      }
      return cached.records;
    },
  };
}

/** KV's shortest expiration is 60 s. */
const KV_MIN_TTL_S = 60;

export function kvSessionBook(kv: KVNamespaceLike, ttlMs = DEFAULT_SESSION_TTL_MS): SessionBook {
  return {
    ttlMs,
    async open(tokenHash, now) {
      const id = newSessionId();
      const session = { tokenHash, csrf: newSessionId(), expiresAt: now + ttlMs };
      await kv.put(`${KV_SESSION_PREFIX}${await hashToken(id)}`, JSON.stringify(session), {
        expirationTtl: Math.max(KV_MIN_TTL_S, Math.ceil(ttlMs / 1000)),
      });
      return { id, session };
    },
    async find(id, now) {
      if (id.length > 64) return undefined;
      const text = await kv.get(`${KV_SESSION_PREFIX}${await hashToken(id)}`, 'text');
      if (!text) return undefined;
      try {
        const s = JSON.parse(text) as { tokenHash?: unknown; csrf?: unknown; expiresAt?: unknown };
        if (typeof s.tokenHash !== 'string' || typeof s.csrf !== 'string' || typeof s.expiresAt !== 'number')
          return undefined;
        // KV's expiry is coarse (a minute at least): the session's own time decides.
        if (s.expiresAt <= now) return undefined;
        return { tokenHash: s.tokenHash, csrf: s.csrf, expiresAt: s.expiresAt };
      } catch {
        return undefined;
      }
    },
  };
}
