import { describe, expect, it } from 'vitest';
import { wranglerPut } from '../cli/commands/admin.js';
import type { KVNamespaceLike } from '../connections/cloudflare-bindings.js';
import { authorizeAdmin } from './auth.js';
import { KV_SESSION_PREFIX, kvSessionBook, kvTokenBook, kvTokenEntry } from './kv.js';
import { mintToken } from './tokens.js';

function memoryKv(): KVNamespaceLike & { data: Map<string, string>; ttl: Map<string, number> } {
  const data = new Map<string, string>();
  const ttl = new Map<string, number>();
  return {
    data,
    ttl,
    async get(key: string) {
      return (data.get(key) ?? null) as never;
    },
    async put(key, value, options) {
      data.set(key, String(value));
      if (options?.expirationTtl) ttl.set(key, options.expirationTtl);
    },
    async delete(key) {
      data.delete(key);
    },
    async list(o) {
      const keys = [...data.keys()].filter((k) => k.startsWith(o?.prefix ?? '')).map((name) => ({ name }));
      return { keys, list_complete: true };
    },
  };
}

describe('admin tokens and sessions in KV', () => {
  it('authenticates a token whose hash is in KV, with its scopes, and forgets it once deleted', async () => {
    const kv = memoryKv();
    const { token, record } = await mintToken('ops', ['read:stats']);
    const { key, value } = kvTokenEntry(record);
    await kv.put(key, value);
    expect(value).not.toContain(token);
    let t = 0;
    const auth = { tokens: kvTokenBook(kv, { cacheMs: 1000, now: () => t }), envToken: undefined };
    await expect(authorizeAdmin(auth, token, 'read:stats')).resolves.toMatchObject({ name: 'ops' });
    await expect(authorizeAdmin(auth, token, 'write:config')).rejects.toMatchObject({ status: 403 });
    await kv.delete(key);
    const other = kvTokenEntry((await mintToken('other', ['read:stats'])).record);
    await kv.put(other.key, other.value); // admin stays on (no token at all: 404)
    t = 1000;
    await expect(authorizeAdmin(auth, token, 'read:stats')).rejects.toMatchObject({ status: 401 });
  });

  it('ignores a record copied under another token’s key', async () => {
    const kv = memoryKv();
    const a = await mintToken('a', ['read:stats']);
    const b = await mintToken('b', ['read:stats', 'admin:profiles']);
    await kv.put(kvTokenEntry(a.record).key, kvTokenEntry(b.record).value);
    expect(await kvTokenBook(kv).records()).toEqual([]);
  });

  it('keeps sessions by the hash of their id, with an expiry any isolate honours', async () => {
    const kv = memoryKv();
    const book = kvSessionBook(kv, 120_000);
    const { id, session } = await book.open('hash-of-token', 1000);
    expect([...kv.data.keys()].every((k) => k.startsWith(KV_SESSION_PREFIX) && !k.includes(id))).toBe(true);
    expect([...kv.ttl.values()]).toEqual([120]);
    // Another isolate: a second book over the same namespace.
    expect(await kvSessionBook(kv, 120_000).find(id, 2000)).toEqual(session);
    expect(await book.find(id, 121_000)).toBeUndefined();
    expect(await book.find('not-a-session', 2000)).toBeUndefined();
  });

  it('prints a wrangler command that stores the hash only', async () => {
    const { token, record } = await mintToken("o'brien", ['read:stats']);
    const cmd = wranglerPut(record);
    expect(cmd).toMatch(/^npx wrangler kv key put --binding TESSERA_KV 'admin\/token\/[0-9a-f]{64}' '/);
    expect(cmd).toContain(`o'\\''brien`);
    expect(cmd).not.toContain(token);
  });
});
