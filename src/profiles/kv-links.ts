/**
 * Identity links (alias → canonical) kept in a KV namespace. Each link is
 * two keys: `l:<alias>` holds the canonical id, and `a:<len>:<canonical>:<alias>`
 * indexes the aliases of a canonical id, listed by prefix. One key per link
 * instead of one list per canonical id keeps every write on its own key, so
 * KV's one-write-per-second-per-key limit never serialises two links.
 * The length prefix makes the index prefix unambiguous for any id.
 * @module
 */

import type { KVNamespaceLike } from '../connections/cloudflare-bindings.js';
import { TesseraError } from '../core/errors.js';

export interface KvLinks {
  link(alias: string, canonical: string): Promise<void>;
  resolve(alias: string): Promise<string | undefined>;
  aliases(canonical: string): Promise<string[]>;
  unlink(id: string): Promise<void>;
}

export function createKvLinks(kv: KVNamespaceLike, prefix: string, driver: string): KvLinks {
  const linkKey = (alias: string) => `${prefix}l:${alias}`;
  const indexPrefix = (canonical: string) => `${prefix}a:${canonical.length}:${canonical}:`;
  const fail = (what: string, cause: unknown) =>
    new TesseraError(500, `[tessera] [${driver}] ${what} failed`, { cause });

  async function resolve(alias: string): Promise<string | undefined> {
    try {
      return (await kv.get(linkKey(alias), 'text')) ?? undefined;
    } catch (e) {
      throw fail(`resolve "${alias}"`, e);
    }
  }

  async function aliases(canonical: string): Promise<string[]> {
    const start = indexPrefix(canonical);
    const out: string[] = [];
    try {
      let cursor: string | undefined;
      do {
        const page = await kv.list(cursor ? { prefix: start, cursor } : { prefix: start });
        for (const k of page.keys) out.push(k.name.slice(start.length));
        cursor = page.list_complete ? undefined : page.cursor;
      } while (cursor);
    } catch (e) {
      throw fail(`aliases of "${canonical}"`, e);
    }
    return out;
  }

  async function dropAlias(alias: string, canonical: string): Promise<void> {
    await Promise.all([kv.delete(linkKey(alias)), kv.delete(indexPrefix(canonical) + alias)]);
  }

  return {
    resolve,
    aliases,
    async link(alias, canonical) {
      const previous = await resolve(alias);
      try {
        if (previous !== undefined && previous !== canonical) await kv.delete(indexPrefix(previous) + alias);
        if (previous === canonical) return;
        await Promise.all([kv.put(linkKey(alias), canonical), kv.put(indexPrefix(canonical) + alias, '')]);
      } catch (e) {
        throw fail(`link "${alias}"`, e);
      }
    },
    async unlink(id) {
      const [target, linked] = await Promise.all([resolve(id), aliases(id)]);
      try {
        if (target !== undefined) await dropAlias(id, target);
        await Promise.all(linked.map((alias) => dropAlias(alias, id)));
      } catch (e) {
        throw fail(`unlink "${id}"`, e);
      }
    },
  };
}
