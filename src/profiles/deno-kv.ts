/**
 * Profiles and identity links in Deno KV (local SQLite-backed KV in `deno
 * run`, FoundationDB on Deno Deploy). Unlike Workers KV it is strongly
 * consistent and has atomic operations, so `merge` is a real compare-and-set:
 * read the entry and its versionstamp, merge with the CRDT `mergeProfiles`,
 * commit with `check(entry)`; a concurrent writer (another isolate or
 * region) makes the commit fail and the merge retries on what it wrote.
 * Merges to one id are also serialised in the isolate, so conflicts only
 * come from elsewhere.
 *
 * Keys (under `prefix`, default `['tessera']`):
 * - `[...prefix, 'p', id]`            encoded profile bytes (through `codec`)
 * - `[...prefix, 'link', alias]`      canonical id
 * - `[...prefix, 'alias', canonical, alias]`  true (the reverse index, listed by prefix)
 *
 * The Deno KV handle is structural (`DenoKvLike`): the driver never names
 * `Deno`, so it type-checks and bundles anywhere, and tests inject a handle.
 * @module
 */
import { TesseraError } from '../core/errors.js';
import { KeyedMutex } from '../core/keyed-mutex.js';
import type { ProfileStore } from '../core/ports.js';
import { mergeProfiles } from '../core/profile/index.js';
import { type AsyncProfileCodec, plainAsyncProfileCodec } from './async-profile-codec.js';

export type DenoKvKey = ReadonlyArray<string | number | boolean | Uint8Array | bigint>;

export interface DenoKvEntry<T> {
  key: DenoKvKey;
  value: T | null;
  versionstamp: string | null;
}

export interface DenoKvAtomicLike {
  check(...checks: Array<{ key: DenoKvKey; versionstamp: string | null }>): DenoKvAtomicLike;
  set(key: DenoKvKey, value: unknown): DenoKvAtomicLike;
  delete(key: DenoKvKey): DenoKvAtomicLike;
  commit(): Promise<{ ok: boolean }>;
}

/** The part of `Deno.Kv` this driver uses. */
export interface DenoKvLike {
  get<T = unknown>(key: DenoKvKey): Promise<DenoKvEntry<T>>;
  delete(key: DenoKvKey): Promise<void>;
  list<T = unknown>(selector: { prefix: DenoKvKey }): AsyncIterable<DenoKvEntry<T>>;
  atomic(): DenoKvAtomicLike;
}

export interface DenoKvProfileStoreOptions {
  kv: DenoKvLike;
  /** Key prefix, one per site or test (default `['tessera']`). */
  prefix?: DenoKvKey;
  /** Conflicting commits from elsewhere tolerated by one merge (default 16). */
  maxMergeAttempts?: number;
  /** Profile bytes at rest (default plain; pass the WebCrypto codec to encrypt). */
  codec?: AsyncProfileCodec;
}

const NAME = 'deno-kv';

function kvError(what: string, cause: unknown): TesseraError {
  return new TesseraError(500, `[tessera] [${NAME}] ${what} failed`, { cause });
}

export function createDenoKvProfileStore(o: DenoKvProfileStoreOptions): ProfileStore {
  const { kv } = o;
  const prefix = o.prefix ?? ['tessera'];
  const attempts = o.maxMergeAttempts ?? 16;
  const codec = o.codec ?? plainAsyncProfileCodec;
  const mutex = new KeyedMutex();
  const profileKey = (id: string): DenoKvKey => [...prefix, 'p', id];
  const linkKey = (alias: string): DenoKvKey => [...prefix, 'link', alias];
  const aliasKey = (canonical: string, alias: string): DenoKvKey => [...prefix, 'alias', canonical, alias];

  async function entry(id: string): Promise<DenoKvEntry<Uint8Array>> {
    try {
      return await kv.get<Uint8Array>(profileKey(id));
    } catch (e) {
      throw kvError(`get "${id}"`, e);
    }
  }

  async function decode(id: string, bytes: Uint8Array) {
    try {
      return await codec.decode(bytes);
    } catch (e) {
      throw new TesseraError(500, `[tessera] [${NAME}] corrupt profile "${id}"`, { cause: e });
    }
  }

  async function aliasesOf(canonical: string): Promise<string[]> {
    const out: string[] = [];
    for await (const e of kv.list<boolean>({ prefix: [...prefix, 'alias', canonical] }))
      out.push(String(e.key[e.key.length - 1]));
    return out;
  }

  return {
    name: NAME,
    async get(id) {
      const e = await entry(id);
      return e.value === null ? undefined : decode(id, e.value);
    },
    merge(id, delta) {
      return mutex.run(id, async () => {
        for (let i = 0; i < attempts; i++) {
          const current = await entry(id);
          const merged =
            current.value === null ? delta : mergeProfiles(await decode(id, current.value), delta);
          const bytes = await codec.encode(merged);
          let ok: boolean;
          try {
            ok = (await kv.atomic().check(current).set(profileKey(id), bytes).commit()).ok;
          } catch (e) {
            throw kvError(`merge "${id}"`, e);
          }
          if (ok) return merged;
        }
        throw new TesseraError(
          503,
          `[tessera] [${NAME}] merge "${id}" gave up after ${attempts} conflicting writes`,
        );
      });
    },
    delete(id) {
      return mutex.run(id, async () => {
        try {
          await kv.delete(profileKey(id));
        } catch (e) {
          throw kvError(`delete "${id}"`, e);
        }
      });
    },
    async link(alias, canonical) {
      const old = await kv.get<string>(linkKey(alias));
      const tx = kv.atomic().check(old).set(linkKey(alias), canonical).set(aliasKey(canonical, alias), true);
      if (old.value !== null && old.value !== canonical) tx.delete(aliasKey(old.value, alias));
      if (!(await tx.commit()).ok) throw kvError(`link "${alias}" (a concurrent link)`, undefined);
    },
    async resolve(alias) {
      return (await kv.get<string>(linkKey(alias))).value ?? undefined;
    },
    aliases: aliasesOf,
    async unlink(id) {
      const old = await kv.get<string>(linkKey(id));
      const tx = kv.atomic();
      if (old.value !== null) tx.delete(linkKey(id)).delete(aliasKey(old.value, id));
      for (const alias of await aliasesOf(id)) tx.delete(aliasKey(id, alias)).delete(linkKey(alias));
      await tx.commit();
    },
    async *ids() {
      for await (const e of kv.list({ prefix: [...prefix, 'p'] })) yield String(e.key[e.key.length - 1]);
    },
    async close() {},
  };
}
