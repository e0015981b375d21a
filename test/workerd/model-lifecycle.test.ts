/**
 * The model lifecycle of the Cloudflare Worker, in workerd: the registry in
 * the Worker's KV namespace, moved from outside with the registry functions
 * `tessera model` runs (promote, rollback), and each isolate following the
 * aliases within its TTL (`TESSERA_MODEL_TTL_MS`), seen on `/health`. A
 * damaged artifact is refused and the version in use keeps serving; a
 * candidate serves its sticky canary share, seen in the decision trace.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { trainShopModel } from '../../examples/cloudflare/train-model.js';
import { kvTokenEntry } from '../../src/admin/kv.js';
import { mintToken } from '../../src/admin/tokens.js';
import { hashUnit } from '../../src/core/experiments/bucket.js';
import { artifactVersion } from '../../src/core/recommend/index.js';
import { createKvModelStore } from '../../src/models/cloudflare.js';
import { promoteModel, registerModel, rollbackModel } from '../../src/models/model-registry.js';
import { runCli } from '../cli/cli-process.js';
import { type RunningIsolates, startIsolates } from './isolates.js';
import { startKvRestDouble } from './kv-rest-double.js';

const TTL_MS = 400;
const catalogIds = (n: number, from: number) =>
  Array.from({ length: n }, (_, i) => `p-${String(from + i).padStart(4, '0')}`);
const views = (items: string[]) =>
  items.map((item, i) => ({
    id: `e${i}`,
    type: 'view' as const,
    ts: 1_000 + i,
    item,
    visitor: `v${i % 5}`,
    node: 'test',
    received: 1_000 + i,
  }));

let w: RunningIsolates;
/** Isolate 0's URL; promotions and rollbacks are watched on all three. */
let base: string;
let token: string;
let store: ReturnType<typeof createKvModelStore>;
let versions: string[];
let artifacts: ArrayBuffer[];

beforeAll(async () => {
  w = await startIsolates('test/workerd/shop-test-worker.ts', 3, {
    kvNamespaces: { TESSERA_KV: 'tessera-kv' },
    bindings: {
      TESSERA_SECRET: 'lifecycle-suite-secret-lifecycle-suite-0',
      TESSERA_SECURE_COOKIES: 'false',
      TESSERA_CONSENT_MODE: 'opt-out',
      TESSERA_MODEL_TTL_MS: String(TTL_MS),
    },
  });
  base = w.baseUrls[0]!;
  const kv = await w.kv('TESSERA_KV');
  const minted = await mintToken('ops', ['read:stats', 'read:debug', 'write:models']);
  const { key, value } = kvTokenEntry(minted.record);
  await kv.put(key, value);
  token = minted.token;
  artifacts = [
    await trainShopModel(),
    await trainShopModel(undefined, views(catalogIds(6, 1).flatMap((x) => [x, x]))),
    await trainShopModel(undefined, views(catalogIds(4, 20).flatMap((x) => [x, x, x]))),
  ];
  // The registry as `tessera model import|promote` writes it: the same functions over the same KV keys.
  store = createKvModelStore(kv);
  versions = [];
  for (const a of artifacts) versions.push((await registerModel(store, a)).version);
  expect(new Set(versions).size).toBe(3);
  await promoteModel(store, versions[0]!);
}, 120_000);

afterAll(() => w?.close());

interface Health {
  model: string | null;
  models: {
    follow: { ttl_ms: number; polls: number; refused: Array<{ version: string; reason: string }> };
    rollout: { candidate: string | null; share?: number; judged?: boolean };
  };
}

async function health(url = base): Promise<Health> {
  const res = await fetch(`${url}/health`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as Health;
}

/** Requests (each one may start a poll after its response) until `/health` serves `version`; ms it took. */
async function servedWithin(version: string, url = base): Promise<number> {
  const t0 = Date.now();
  await vi.waitFor(async () => expect((await health(url)).model).toBe(version), {
    timeout: 10_000,
    interval: 50,
  });
  return Date.now() - t0;
}

/** The same on every isolate at once: each one's ms. */
const everyIsolateServes = (version: string) =>
  Promise.all(w.baseUrls.map((url) => servedWithin(version, url)));

describe('the Worker follows the model registry in KV', () => {
  it('serves production from the registry, and only tells a token holder which', async () => {
    expect((await health()).model).toBe(versions[0]);
    const anonymous = await fetch(`${base}/health`);
    expect(await anonymous.json()).toEqual({ status: 'ok' });
  });

  it('serves a promoted version on every isolate within the TTL, and the old one again after a rollback', async () => {
    for (const url of w.baseUrls) expect((await health(url)).model).toBe(versions[0]);
    await promoteModel(store, versions[1]!);
    const promoted = await everyIsolateServes(versions[1]!);
    await rollbackModel(store);
    const rolledBack = await everyIsolateServes(versions[0]!);
    // One TTL, then the poll after the next response; the margin is the loaded machine's.
    for (const ms of [...promoted, ...rolledBack]) expect(ms).toBeLessThan(TTL_MS + 3000);
    console.log(
      `[workerd] 3 isolates: promote served after ${promoted.join(', ')} ms, rollback after ${rolledBack.join(', ')} ms (TTL ${TTL_MS} ms)`,
    );
    const h = await health();
    expect(h.models.follow.ttl_ms).toBe(TTL_MS);
    expect(h.models.follow.polls).toBeGreaterThan(0);
  });

  it('refuses a damaged artifact and keeps serving the version in use', async () => {
    const bad = versions[2]!;
    const damaged = artifacts[2]!.slice(0);
    const bytes = new Uint8Array(damaged);
    bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 0xff;
    const kv = await w.kv('TESSERA_KV');
    await kv.put(`models/${bad}.tsra`, damaged);
    expect(artifactVersion(damaged)).toBe(bad); // the header still names it: only the hash tells
    await promoteModel(store, bad);
    await vi.waitFor(
      async () => expect((await health()).models.follow.refused.map((r) => r.version)).toContain(bad),
      { timeout: 10_000, interval: 50 },
    );
    // Several TTLs later, still the old model, and pages still served.
    await new Promise((r) => setTimeout(r, 3 * TTL_MS));
    expect((await health()).model).toBe(versions[0]);
    expect((await fetch(`${base}/`)).status).toBe(200);
    // Repaired (the right bytes written again) it would stay refused in this isolate; a new version is taken.
    await promoteModel(store, versions[1]!);
    await servedWithin(versions[1]!);
  });

  it('serves a candidate to its sticky canary share and leaves the verdict to others', async () => {
    await promoteModel(store, versions[0]!, 'candidate');
    await vi.waitFor(async () => expect((await health()).models.rollout.candidate).toBe(versions[0]), {
      timeout: 10_000,
      interval: 50,
    });
    const h = await health();
    expect(h.model).toBe(versions[1]);
    expect(h.models.rollout).toMatchObject({ share: 0.1, judged: false });
    // Visitors with ids (opt-out consent: every page mints one); the trace says which model ranked them.
    const seed = `tessera-model-rollout:${versions[0]}`;
    const seen = { canary: 0, production: 0 };
    for (let i = 0; i < 200 && (seen.canary < 3 || seen.production < 3); i++) {
      const first = await fetch(`${base}/`);
      const id = /tsr_id=([^.;]+)\.[^;]*/.exec(first.headers.get('set-cookie') ?? '');
      expect(id).not.toBeNull();
      const cookie = id![0];
      const expected = hashUnit(seed, id![1]!) < 0.1 ? versions[0] : versions[1];
      seen[expected === versions[0] ? 'canary' : 'production']++;
      for (let again = 0; again < 2; again++) {
        const res = await fetch(`${base}/`, {
          headers: { cookie, 'x-tessera-debug': '1', authorization: `Bearer ${token}` },
        });
        const trace = (await res.json()) as { recommendations: Array<{ model?: string }> };
        const used = trace.recommendations.map((r) => r.model).filter(Boolean);
        expect(used.length).toBeGreaterThan(0);
        expect(new Set(used)).toEqual(new Set([expected]));
      }
    }
    expect(seen.canary).toBeGreaterThanOrEqual(3);
    console.log(
      `[workerd] canary: ${seen.canary} of ${seen.canary + seen.production} visitors on the candidate (share 0.1)`,
    );
  });

  it('takes a rollback through its admin API: this isolate at once, the registry for every other', async () => {
    await promoteModel(store, versions[0]!);
    await servedWithin(versions[0]!);
    const res = await fetch(`${base}/admin/api/models/rollback`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      action: 'rollback',
      production: versions[1],
      inUse: versions[1],
    });
    expect((await store.aliases()).production).toBe(versions[1]);
    expect((await health()).model).toBe(versions[1]);
    await everyIsolateServes(versions[1]!);
  });

  it('follows `tessera model promote|rollback --models cloudflare-kv://…` on every isolate', async () => {
    const rest = await startKvRestDouble(await w.kv('TESSERA_KV'), {
      account: 'acct',
      namespace: 'tessera-kv',
      token: 'cf-test-token',
    });
    try {
      const env = { CLOUDFLARE_API_TOKEN: 'cf-test-token', TESSERA_CLOUDFLARE_API: rest.api };
      const cli = async (...args: string[]) =>
        JSON.parse(
          (await runCli(['model', ...args, '--models', 'cloudflare-kv://acct/tessera-kv', '--json'], env))
            .stdout,
        );
      const listed = await cli('list');
      expect(listed.aliases.production).toBe(versions[1]);
      expect(listed.versions.map((m: { version: string }) => m.version).sort()).toEqual([...versions].sort());
      expect((await cli('promote', versions[2]!)).aliases.production).toBe(versions[2]);
      // versions[2] is still damaged in KV: refused on every isolate, which keep versions[1].
      await vi.waitFor(
        async () => {
          for (const url of w.baseUrls)
            expect((await health(url)).models.follow.refused.map((r) => r.version)).toContain(versions[2]);
        },
        { timeout: 10_000, interval: 50 },
      );
      for (const url of w.baseUrls) expect((await health(url)).model).toBe(versions[1]);
      expect((await cli('promote', versions[0]!)).aliases.production).toBe(versions[0]);
      const promoted = await everyIsolateServes(versions[0]!);
      expect((await cli('rollback')).aliases.production).toBe(versions[2]);
      expect((await cli('rollback')).aliases.production).toBe(versions[1]);
      const rolledBack = await everyIsolateServes(versions[1]!);
      console.log(
        `[workerd] through the CLI: promote served after ${promoted.join(', ')} ms, rollback after ${rolledBack.join(', ')} ms`,
      );
    } finally {
      await rest.close();
    }
  }, 60_000);
});
