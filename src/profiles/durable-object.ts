/**
 * Profiles in Durable Objects, for sites that need strong per-visitor
 * consistency: one object per visitor id (`idFromName(id)`), which holds the
 * profile, the canonical id this id is an alias of, and the aliases of this
 * id. A merge is read → `mergeProfiles` → write inside the object; the
 * object's input gate delivers no other request while its storage call is in
 * flight, so concurrent merges from every location serialise there and none
 * is lost. Links touch two objects (the alias and the canonical id), which is
 * not atomic across both; a retry of `link` converges.
 *
 * Export `TesseraProfiles` from the Worker and bind it (see examples/cloudflare).
 * The profile is kept at rest through the class's `codecFor(env)`: plain
 * here; the Cloudflare runtime's subclass encrypts it with the key ring from
 * the object's secret bindings. The stub protocol carries plain profiles: it
 * never leaves the account's Worker-to-object channel.
 * @module
 */

import type {
  DurableObjectNamespaceLike,
  DurableObjectStateLike,
} from '../connections/cloudflare-bindings.js';
import { TesseraError } from '../core/errors.js';
import type { ProfileStore } from '../core/ports.js';
import { decodeProfile, encodeProfile, mergeProfiles } from '../core/profile/index.js';
import { type AsyncProfileCodec, plainAsyncProfileCodec } from './async-profile-codec.js';

const NAME = 'durable-object';

export interface DurableObjectProfileStoreOptions {
  /** The binding of the `TesseraProfiles` class. */
  namespace: DurableObjectNamespaceLike;
  /** Prepended to every object name, to share a class between sites or tests. */
  prefix?: string;
}

/** The Durable Object class. Its protocol: `POST https://do/<op>` with the argument as the body. */
export class TesseraProfiles {
  /** How the profile is kept at rest, from the object's bindings; a subclass encrypts. */
  static codecFor(_env: unknown): AsyncProfileCodec {
    return plainAsyncProfileCodec;
  }

  private readonly codec: AsyncProfileCodec;

  constructor(
    private readonly state: DurableObjectStateLike,
    env?: unknown,
  ) {
    this.codec = (this.constructor as typeof TesseraProfiles).codecFor(env);
  }

  async fetch(req: Request): Promise<Response> {
    const op = new URL(req.url).pathname.slice(1);
    const s = this.state.storage;
    switch (op) {
      case 'get': {
        const stored = await s.get<Uint8Array>('profile');
        return bytes(stored && encodeProfile(await this.codec.decode(stored)));
      }
      case 'merge': {
        const delta = decodeProfile(new Uint8Array(await req.arrayBuffer()));
        const stored = await s.get<Uint8Array>('profile');
        const merged = stored ? mergeProfiles(await this.codec.decode(stored), delta) : delta;
        await s.put('profile', await this.codec.encode(merged));
        return bytes(encodeProfile(merged));
      }
      case 'delete':
        await s.delete('profile');
        return new Response(null, { status: 204 });
      case 'set-link': {
        // The alias side: remember the canonical id, answer the previous one.
        const previous = (await s.get<string>('linkedTo')) ?? '';
        await s.put('linkedTo', await req.text());
        return new Response(previous);
      }
      case 'linked-to': {
        const canonical = await s.get<string>('linkedTo');
        return canonical === undefined ? new Response(null, { status: 404 }) : new Response(canonical);
      }
      case 'clear-link': {
        // Clears only if still pointing at the given canonical id; answers what it cleared.
        const expected = await req.text();
        const current = await s.get<string>('linkedTo');
        if (current !== undefined && (expected === '' || current === expected)) await s.delete('linkedTo');
        return new Response(current ?? '');
      }
      case 'add-alias':
      case 'remove-alias': {
        const alias = await req.text();
        const set = new Set((await s.get<string[]>('aliases')) ?? []);
        if (op === 'add-alias') set.add(alias);
        else set.delete(alias);
        await s.put('aliases', [...set]);
        return new Response(null, { status: 204 });
      }
      case 'aliases':
        return Response.json((await s.get<string[]>('aliases')) ?? []);
      case 'take-aliases': {
        const list = (await s.get<string[]>('aliases')) ?? [];
        await s.delete('aliases');
        return Response.json(list);
      }
      default:
        return new Response(`[tessera] [${NAME}] unknown operation "${op}"`, { status: 404 });
    }
  }
}

function bytes(b: Uint8Array | undefined): Response {
  return b === undefined ? new Response(null, { status: 404 }) : new Response(b as BodyInit);
}

export function createDurableObjectProfileStore(o: DurableObjectProfileStoreOptions): ProfileStore {
  const prefix = o.prefix ?? '';

  async function call(id: string, op: string, body?: BodyInit): Promise<Response> {
    let res: Response;
    try {
      const stub = o.namespace.get(o.namespace.idFromName(prefix + id));
      res = await stub.fetch(
        `https://do/${op}`,
        body === undefined ? { method: 'POST' } : { method: 'POST', body },
      );
    } catch (e) {
      throw new TesseraError(500, `[tessera] [${NAME}] ${op} "${id}" failed`, { cause: e });
    }
    if (res.status >= 500 || (res.status === 404 && op !== 'get' && op !== 'linked-to')) {
      throw new TesseraError(500, `[tessera] [${NAME}] ${op} "${id}" failed: ${await res.text()}`);
    }
    return res;
  }

  async function profileOf(res: Response, id: string) {
    try {
      return decodeProfile(new Uint8Array(await res.arrayBuffer()));
    } catch (e) {
      throw new TesseraError(500, `[tessera] [${NAME}] corrupt profile "${id}"`, { cause: e });
    }
  }

  return {
    name: NAME,
    async get(id) {
      const res = await call(id, 'get');
      if (res.status === 404) return undefined;
      return profileOf(res, id);
    },
    async merge(id, delta) {
      return profileOf(await call(id, 'merge', encodeProfile(delta) as BodyInit), id);
    },
    async delete(id) {
      await (await call(id, 'delete')).body?.cancel();
    },
    async link(alias, canonical) {
      const previous = await (await call(alias, 'set-link', canonical)).text();
      if (previous !== '' && previous !== canonical) await call(previous, 'remove-alias', alias);
      await call(canonical, 'add-alias', alias);
    },
    async resolve(alias) {
      const res = await call(alias, 'linked-to');
      const text = await res.text();
      return res.status === 404 ? undefined : text;
    },
    async aliases(canonical) {
      return (await (await call(canonical, 'aliases')).json()) as string[];
    },
    async unlink(id) {
      const target = await (await call(id, 'clear-link', '')).text();
      if (target !== '') await call(target, 'remove-alias', id);
      const linked = (await (await call(id, 'take-aliases')).json()) as string[];
      await Promise.all(linked.map((alias) => call(alias, 'clear-link', id)));
    },
    async close() {},
  };
}
