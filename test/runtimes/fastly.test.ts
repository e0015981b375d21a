/**
 * Fastly Compute, without Fastly: Viceroy (the local Compute server) cannot
 * be fetched on this machine, so the runtime's Fastly-specific parts run in
 * Node against fakes of Fastly's documented APIs (fastly-fakes.ts), and the
 * real artifact is checked by building it: `npm run build:fastly` compiles
 * the bundle with js-compute-runtime, which initializes the module inside
 * StarlingMonkey (a bundle that throws while loading fails the build).
 *
 * - the KV Store profile driver against the conformance suite (fake KVStore
 *   enforcing the documented key rules);
 * - the rewriter over `HTMLRewritingStream` (fake: lol-html in wasm behind
 *   Fastly's documented surface);
 * - the HTTP behaviour and hardening suites against `createFastlyHandler`
 *   with those fakes, served from Node;
 * - writes finished before the response is returned, within the budget.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { describe, expect, it } from 'vitest';
import { trainShopModel } from '../../examples/cloudflare/train-model.js';
import { createFastlyKvProfileStore, fastlyKey, fromFastlyKey } from '../../src/profiles/fastly-kv.js';
import { createFastlyHandler, type FastlyPlatform } from '../../src/runtimes/fastly/handler.js';
import { fastlyRewriter } from '../../src/runtimes/fastly/rewriter.js';
import { ODD_IDS } from '../conformance/fixtures.js';
import { testProfileStore } from '../conformance/profile-store.js';
import type { Target } from '../helpers/node-target.js';
import { httpBehaviourSuite } from '../http/behaviour.js';
import { httpHardeningSuite } from '../http/hardening.js';
import { FakeHTMLRewritingStream, FakeKVStore } from './fastly-fakes.js';
import { shopSite } from './fastly-shop-site.js';
import { root } from './spawn-runtime.js';

const catalog = JSON.parse(
  readFileSync(new URL('../../examples/shop/catalog.json', import.meta.url), 'utf8'),
) as Array<{ id: string; category: string; in_stock: boolean }>;
const running = catalog.filter((p) => p.category === 'running' && p.in_stock).map((p) => p.id);

testProfileStore('fastly-kv (fake KVStore per the documented API)', async () => {
  const profiles = createFastlyKvProfileStore({ store: new FakeKVStore() });
  return { profiles, cleanup: () => profiles.close() };
});

describe('Fastly KV keys', () => {
  it('escapes the characters Fastly refuses in keys, reversibly', () => {
    for (const id of [...ODD_IDS, '.', '..', '100%', '%3f']) {
      const key = fastlyKey(`p:${id}`);
      expect(key).not.toMatch(/[#;?^|\n\r]/);
      expect(fromFastlyKey(key)).toBe(`p:${id}`);
    }
    expect(fastlyKey('..')).toBe('%2e%2e');
  });
});

describe('rewriter over HTMLRewritingStream', () => {
  it('fills slots as HTML or as escaped text, and leaves the rest of the page alone', async () => {
    const make = fastlyRewriter(FakeHTMLRewritingStream);
    const page = new Response(
      '<main><div data-tessera-slot="hero">old</div><p data-tessera-slot="note">x</p><i data-tessera-slot="gone">y</i></main>',
      { headers: { 'content-type': 'text/html', 'content-length': '999' } },
    );
    const out = make()
      .on('[data-tessera-slot]', {
        element(el) {
          const slot = el.getAttribute('data-tessera-slot');
          if (slot === 'hero') el.setInnerContent('<b>new</b>', { html: true });
          if (slot === 'note')
            el.setInnerContent('<b>text</b>').setAttribute(
              'data-filled',
              String(el.hasAttribute('data-tessera-slot')),
            );
          if (slot === 'gone') el.remove();
        },
      })
      .transform(page);
    expect(out.headers.get('content-length')).toBeNull();
    expect(await out.text()).toBe(
      '<main><div data-tessera-slot="hero"><b>new</b></div><p data-tessera-slot="note" data-filled="true">&lt;b&gt;text&lt;/b&gt;</p></main>',
    );
  });
});

interface FastlyTarget extends Target {
  kv: FakeKVStore;
  handler: ReturnType<typeof createFastlyHandler>;
  late: string[];
}

async function startFastlyTarget(o: { kv?: FakeKVStore; budgetMs?: number } = {}): Promise<FastlyTarget> {
  const kv = o.kv ?? new FakeKVStore();
  await kv.put('model/current.tsra', await trainShopModel());
  const lines: string[] = [];
  const late: string[] = [];
  const settings: Record<string, string> = {
    TESSERA_CONSENT_MODE: 'opt-in',
    TESSERA_SECURE_COOKIES: 'false',
  };
  const platform: FastlyPlatform = {
    KVStore: class {
      constructor(name: string) {
        if (name !== 'tessera') throw new Error(`no KV store ${name}`);
        // biome-ignore lint/correctness/noConstructorReturn: the one fake store, as a KV Store link would give
        return kv;
      }
    } as unknown as FastlyPlatform['KVStore'],
    HTMLRewritingStream: FakeHTMLRewritingStream,
    env: (name) => settings[name],
    secret: async (name) =>
      name === 'TESSERA_SECRET' ? 'http-suite-secret-http-suite-secret-00' : undefined,
    eventLogger: { log: (line) => lines.push(line) },
  };
  const handler = createFastlyHandler({
    platform,
    site: shopSite(),
    ...(o.budgetMs !== undefined ? { budgetMs: o.budgetMs } : {}),
    onBudgetExceeded: (what) => late.push(what),
  });
  const server = serve({ fetch: handler, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as AddressInfo;
  return {
    kv,
    handler,
    late,
    baseUrl: `http://127.0.0.1:${port}`,
    async profileCount() {
      return [...kv.data.keys()].filter((k) => k.startsWith('p:') && !k.startsWith('p:erased:')).length;
    },
    async eventCount() {
      return lines.length;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

httpBehaviourSuite('Fastly handler with fakes of the documented APIs, in Node', startFastlyTarget, {
  running,
});
httpHardeningSuite('Fastly handler with fakes of the documented APIs, in Node', startFastlyTarget, {
  item: running[0]!,
});

describe('Fastly: no work after the response', () => {
  const consent = JSON.stringify({
    events: [
      { id: 'c1', type: 'consent', ts: Date.now(), props: { personalization: true, analytics: true } },
    ],
  });

  it('has the profile in the KV Store when the response is returned', async () => {
    const t = await startFastlyTarget();
    try {
      expect(await t.profileCount()).toBe(0);
      const res = await t.handler(
        new Request(`${t.baseUrl}/collect`, {
          method: 'POST',
          body: consent,
          headers: { 'content-type': 'application/json' },
        }),
      );
      // Nothing awaited since the handler returned: the write happened before the response.
      expect(await t.profileCount()).toBe(1);
      const cookie = res.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      const putsBefore = t.kv.puts;
      const view = JSON.stringify({ events: [{ id: 'v1', type: 'view', ts: Date.now(), item: running[0] }] });
      await t.handler(
        new Request(`${t.baseUrl}/collect`, {
          method: 'POST',
          body: view,
          headers: { 'content-type': 'application/json', cookie },
        }),
      );
      expect(t.kv.puts).toBeGreaterThan(putsBefore);
      expect(t.late).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('answers after the time budget when the KV Store hangs, and reports the unfinished writes', async () => {
    const kv = new FakeKVStore();
    const t = await startFastlyTarget({ kv, budgetMs: 50 });
    try {
      const res = await t.handler(
        new Request(`${t.baseUrl}/collect`, {
          method: 'POST',
          body: consent,
          headers: { 'content-type': 'application/json' },
        }),
      );
      const cookie = res.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      await t.handler(new Request(`${t.baseUrl}/`, { headers: { cookie } })); // model and stores loaded
      kv.put = () => new Promise(() => {}); // a write that never finishes
      const started = performance.now();
      await t.handler(new Request(`${t.baseUrl}/product/${running[0]}`, { headers: { cookie } }));
      const took = performance.now() - started;
      expect(t.late.some((l) => /still running after 50 ms/.test(l))).toBe(true);
      expect(took).toBeLessThan(2000);
    } finally {
      await t.close();
    }
  });
});

describe('npm run build:fastly', () => {
  it('compiles the shop into dist/fastly/tessera.wasm with js-compute-runtime', () => {
    execFileSync(process.execPath, [join(root, 'scripts/build-fastly.mjs')], { cwd: root, stdio: 'pipe' });
    const wasm = join(root, 'dist/fastly/tessera.wasm');
    expect(statSync(wasm).size).toBeGreaterThan(1_000_000);
    expect([...readFileSync(wasm).subarray(0, 4)]).toEqual([0, 0x61, 0x73, 0x6d]);
  }, 180_000);
});
