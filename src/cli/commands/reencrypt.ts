/**
 * `tessera admin reencrypt [--data-dir DIR] [--store URL] [--keys ... --key-current KID]`:
 * the last step of a key rotation. Every stored profile not yet under the
 * current key (an older key, or plain bytes from before encryption) is read
 * with whichever ring key it names and written back under the current one.
 * Safe while nodes run: each rewrite takes the same lock (SQLite) or
 * compare-and-set (Redis) as a merge, and leaves the last-change time alone.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ProfileStore } from '../../core/ports.js';
import { createEncryptedProfileCodec } from '../../profiles/encrypted-codec.js';
import type { Stores } from '../../profiles/port.js';
import { createRedisStore } from '../../profiles/redis.js';
import { createSqliteStore } from '../../profiles/sqlite.js';
import { nodeKeyRing } from '../../runtimes/node/key-ring-config.js';

export interface ReencryptOptions {
  dataDir: string;
  store?: string;
  keys?: string;
  keyCurrent?: string;
  secret?: string;
  prefix?: string;
}

/** Rewrites every stale profile; returns how many were looked at and how many rewritten. */
export async function reencryptProfiles(
  store: ProfileStore,
): Promise<{ scanned: number; rewritten: number }> {
  if (!store.ids || !store.reencrypt)
    throw new Error(`[tessera] [admin] the ${store.name} store cannot list or rewrite its profiles`);
  let scanned = 0;
  let rewritten = 0;
  for await (const id of store.ids()) {
    scanned += 1;
    if (await store.reencrypt(id)) rewritten += 1;
  }
  return { scanned, rewritten };
}

export async function reencryptCommand(
  o: ReencryptOptions,
  print: (line: string) => void = console.log,
): Promise<{ scanned: number; rewritten: number }> {
  const dataDir = resolve(o.dataDir);
  // Never invent a secret here: a new one could decrypt nothing.
  const ring = nodeKeyRing(o, dataDir, false);
  const codec = createEncryptedProfileCodec(ring);
  const spec = o.store ?? `sqlite:${join(dataDir, 'tessera.db')}`;
  let stores: Stores;
  if (spec.startsWith('redis://')) {
    stores = await createRedisStore({ url: spec, prefix: `${o.prefix ?? 'tessera'}:`, codec });
  } else if (spec.startsWith('sqlite:')) {
    const path = spec.slice('sqlite:'.length);
    if (!existsSync(path)) throw new Error(`[tessera] [admin] no database at ${path}: nothing to re-encrypt`);
    stores = await createSqliteStore({ path, codec });
  } else {
    throw new Error(`[tessera] [admin] reencrypt works on sqlite:PATH or redis:// stores; got "${spec}"`);
  }
  try {
    const r = await reencryptProfiles(stores.profiles);
    print(`re-encrypted ${r.rewritten} of ${r.scanned} profiles under key "${ring.current}"`);
    return r;
  } finally {
    await stores.close();
  }
}
