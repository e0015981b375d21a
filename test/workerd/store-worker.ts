/**
 * A test Worker that runs the store drivers inside workerd against real
 * workerd bindings (KV namespace, Durable Object namespace). The Node side of
 * the conformance suite calls `POST /rpc` once per store method; the driver
 * code, its coalescing buffer and the bindings all live in this isolate.
 * Also evaluates the bucketing vectors here (`POST /bucketing`), and the
 * rules, variant-key and profile-merge vectors with the runner the Node test
 * uses (`POST /vectors/<kind>`, the vector file as the body).
 */

import type {
  DurableObjectNamespaceLike,
  DurableObjectStateLike,
  ExecutionContextLike,
  KVNamespaceLike,
} from '../../src/connections/cloudflare-bindings.js';
import type { ExperimentDef } from '../../src/core/config.js';
import { assignArm, fnv1a32, hashUnit } from '../../src/core/experiments/index.js';
import type { ProfileStore } from '../../src/core/ports.js';
import type { RuleInput } from '../../src/core/segments/compile.js';
import { createKvProfileStore, type KvProfileStore } from '../../src/profiles/cloudflare-kv.js';
import { createDurableObjectProfileStore } from '../../src/profiles/durable-object.js';
import { TesseraProfiles as EncryptingProfiles } from '../../src/runtimes/cloudflare/profiles-object.js';
import { atRestCodecFromEnv } from '../../src/runtimes/fetch/env-keys.js';
import { runVectors, type VectorKind } from '../vectors/runner.js';
import { fromWire, toWire, type Wire } from './rpc-codec.js';

/**
 * The Worker's class (profiles encrypted at rest from TESSERA_SECRET), plus
 * one test-only operation, `raw`, that answers the stored bytes as they are.
 */
export class TesseraProfiles extends EncryptingProfiles {
  constructor(
    private readonly raw: DurableObjectStateLike,
    env?: unknown,
  ) {
    super(raw, env);
  }

  override async fetch(req: Request): Promise<Response> {
    if (new URL(req.url).pathname !== '/raw') return super.fetch(req);
    const stored = await this.raw.storage.get<Uint8Array>('profile');
    return new Response((stored ?? null) as BodyInit | null, { status: stored ? 200 : 404 });
  }
}

interface Env {
  KV: KVNamespaceLike;
  PROFILES: DurableObjectNamespaceLike;
  TESSERA_SECRET: string;
}

const stores = new Map<string, ProfileStore>();
/** KV puts per key, counted by a wrapper around the real binding (for the coalescing tests). */
const puts = new Map<string, number>();

function counting(kv: KVNamespaceLike): KVNamespaceLike {
  return {
    get: kv.get.bind(kv) as KVNamespaceLike['get'],
    list: kv.list.bind(kv),
    delete: kv.delete.bind(kv),
    put(key, value, options) {
      puts.set(key, (puts.get(key) ?? 0) + 1);
      return kv.put(key, value, options);
    },
  };
}

function storeFor(env: Env, driver: string, instance: string): ProfileStore {
  const key = `${driver}/${instance}`;
  let store = stores.get(key);
  if (!store) {
    const prefix = `${instance}/`;
    store =
      driver === 'kv'
        ? createKvProfileStore({ kv: counting(env.KV), prefix, codec: atRestCodecFromEnv(env)! })
        : createDurableObjectProfileStore({ namespace: env.PROFILES, prefix });
    stores.set(key, store);
  }
  return store;
}

interface Vectors {
  fnv1a32: Array<{ input: string }>;
  hashUnit: Array<{ seed: string; id: string }>;
  experiments: Array<{ def: ExperimentDef; cases: Array<{ id: string }> }>;
}

function bucketing(v: Vectors) {
  const input: RuleInput = {
    ctx: {
      method: 'GET',
      path: '/',
      cookies: {},
      device: 'desktop',
      country: 'DE',
      localHour: 12,
      utm: {},
      gpc: false,
      dnt: false,
      now: 0,
    },
    profile: undefined,
    segments: new Set(),
    now: 0,
    halfLifeMs: 1,
  };
  return {
    fnv1a32: v.fnv1a32.map((x) => fnv1a32(x.input)),
    hashUnit: v.hashUnit.map((x) => hashUnit(x.seed, x.id)),
    experiments: v.experiments.map((e) => e.cases.map((c) => assignArm(e.def, c.id, input) ?? null)),
  };
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContextLike): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path === '/bucketing') return Response.json(bucketing((await request.json()) as Vectors));
    if (path.startsWith('/vectors/')) {
      const kind = path.slice('/vectors/'.length) as VectorKind;
      return Response.json(runVectors(kind, await request.json()));
    }
    if (path === '/do-raw') {
      // The bytes the object keeps at rest for `?name=<prefix><id>`.
      const name = new URL(request.url).searchParams.get('name') ?? '';
      return env.PROFILES.get(env.PROFILES.idFromName(name)).fetch('https://do/raw', { method: 'POST' });
    }
    if (path === '/kv-puts') return Response.json(Object.fromEntries(puts));
    if (path === '/settle') {
      await Promise.all(
        [...stores.values()].map((st) => ('settle' in st ? (st as KvProfileStore).settle() : undefined)),
      );
      return Response.json({ ok: true });
    }
    if (path !== '/rpc') return new Response('not found', { status: 404 });
    const { driver, instance, method, args } = (await request.json()) as {
      driver: string;
      instance: string;
      method: keyof ProfileStore;
      args: Wire[];
    };
    const store = storeFor(env, driver, instance);
    try {
      const fn = store[method] as (...a: unknown[]) => Promise<unknown>;
      const result = await fn.apply(store, args.map(fromWire));
      if ('settle' in store) ctx.waitUntil((store as KvProfileStore).settle());
      return Response.json({ ok: toWire(result) });
    } catch (e) {
      return Response.json({ error: String(e), cause: String((e as Error).cause) }, { status: 500 });
    }
  },
};
