/**
 * The ProfileStore conformance suite for the KV and Durable Object drivers,
 * run inside workerd. The suite (vitest, in Node) talks to a proxy store;
 * each call is one HTTP request to a test Worker that runs the real driver
 * against workerd's KV and Durable Object bindings. What is tested is the
 * driver code in the Workers runtime on the real bindings, including the
 * KV coalescing buffer and the Durable Object input gate; only the call
 * boundary is a proxy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProfileStore } from '../../src/core/ports.js';
import { encodeProfile, mergeProfiles } from '../../src/core/profile/index.js';
import { createWebCryptoProfileCodec } from '../../src/profiles/webcrypto-profile-codec.js';
import { canonical, delta } from '../conformance/fixtures.js';
import { testProfileStore } from '../conformance/profile-store.js';
import { type RunningWorker, startWorker } from './miniflare.js';
import { fromWire, toWire, type Wire } from './rpc-codec.js';

let worker: RunningWorker;
let instances = 0;
const SECRET = 'store-suite-secret-store-suite-secret-00';
/** The codec the Worker uses at rest, here in Node: the same format and keys. */
const codec = createWebCryptoProfileCodec({ secrets: { k1: SECRET }, current: 'k1' });

beforeAll(async () => {
  worker = await startWorker('test/workerd/store-worker.ts', {
    kvNamespaces: ['KV'],
    durableObjects: { PROFILES: 'TesseraProfiles' },
    bindings: { TESSERA_SECRET: SECRET },
  });
});
afterAll(async () => {
  await worker?.close();
});

function remoteStore(baseUrl: string, driver: 'kv' | 'do', instance: string): ProfileStore {
  const call =
    (method: keyof ProfileStore) =>
    async (...args: unknown[]): Promise<never> => {
      const res = await fetch(`${baseUrl}/rpc`, {
        method: 'POST',
        body: JSON.stringify({ driver, instance, method, args: args.map(toWire) }),
      });
      const body = (await res.json()) as { ok: Wire } | { error: string; cause: string };
      if ('error' in body) throw new Error(`${body.error} (cause: ${body.cause})`);
      return fromWire(body.ok) as never;
    };
  return {
    name: `${driver} in workerd`,
    get: call('get'),
    merge: call('merge'),
    delete: call('delete'),
    link: call('link'),
    resolve: call('resolve'),
    aliases: call('aliases'),
    unlink: call('unlink'),
    close: call('close'),
  };
}

for (const driver of ['kv', 'do'] as const) {
  testProfileStore(`${driver === 'kv' ? 'Cloudflare KV' : 'Durable Object'} (in workerd)`, async () => {
    const profiles = remoteStore(worker.baseUrl, driver, `t${++instances}`);
    return { profiles, cleanup: () => profiles.close() };
  });
}

describe('Cloudflare KV store in workerd: write coalescing', () => {
  const puts = async () =>
    (await (await fetch(`${worker.baseUrl}/kv-puts`)).json()) as Record<string, number>;
  const settle = () => fetch(`${worker.baseUrl}/settle`).then((r) => r.json());

  it('writes a key at most once per second however many merges arrive, and loses none', async () => {
    const instance = `c${++instances}`;
    const store = remoteStore(worker.baseUrl, 'kv', instance);
    const deltas = Array.from({ length: 20 }, (_, i) => delta(`node-${i % 3}`, `sku-${i}`, i * 10));
    for (const d of deltas) await store.merge('busy', d);
    const written = (await puts())[`${instance}/p:busy`];
    // The first merge writes at once; the other 19 wait in the isolate's buffer.
    expect(written).toBe(1);
    const expected = deltas.reduce((acc, d) => mergeProfiles(acc, d));
    // Read-your-writes from the buffer before the flush.
    expect(canonical(await store.get('busy'))).toEqual(canonical(expected));
    await settle();
    expect((await puts())[`${instance}/p:busy`]).toBe(2);
    const kv = await worker.kv('KV');
    const raw = await kv.get(`${instance}/p:busy`, 'arrayBuffer');
    expect(canonical(await codec.decode(new Uint8Array(raw!)))).toEqual(canonical(expected));
  });

  it('drops a buffered write when the profile is deleted before the flush', async () => {
    const instance = `c${++instances}`;
    const store = remoteStore(worker.baseUrl, 'kv', instance);
    await store.merge('gone', delta('node-a', 'sku-1'));
    await store.merge('gone', delta('node-a', 'sku-2', 10));
    await store.delete('gone');
    await settle();
    const kv = await worker.kv('KV');
    expect(await kv.get(`${instance}/p:gone`, 'text')).toBeNull();
    expect(await store.get('gone')).toBeUndefined();
  });
});

describe('Cloudflare KV store in workerd: encryption at rest', () => {
  it('keeps the profile in KV as a TSE1 ciphertext that does not show the item id', async () => {
    const instance = `e${++instances}`;
    const store = remoteStore(worker.baseUrl, 'kv', instance);
    await store.merge('visitor', delta('node-a', 'sku-private-item'));
    const kv = await worker.kv('KV');
    const raw = new Uint8Array((await kv.get(`${instance}/p:visitor`, 'arrayBuffer'))!);
    const text = new TextDecoder('latin1').decode(raw);
    expect(text.startsWith('TSE1')).toBe(true);
    expect(text).not.toContain('sku-private-item');
    expect(canonical(await codec.decode(raw))).toEqual(canonical(delta('node-a', 'sku-private-item')));
  });

  it('reads a plain profile written before encryption and encrypts it on the next write', async () => {
    const instance = `e${++instances}`;
    const kv = await worker.kv('KV');
    const before = delta('node-a', 'sku-old');
    await kv.put(`${instance}/p:legacy`, encodeProfile(before));
    const store = remoteStore(worker.baseUrl, 'kv', instance);
    expect(canonical(await store.get('legacy'))).toEqual(canonical(before));
    await store.merge('legacy', delta('node-b', 'sku-new', 10));
    const raw = new Uint8Array((await kv.get(`${instance}/p:legacy`, 'arrayBuffer'))!);
    expect(new TextDecoder('latin1').decode(raw.subarray(0, 4))).toBe('TSE1');
    const now = await codec.decode(raw);
    expect(canonical(now)).toEqual(canonical(mergeProfiles(before, delta('node-b', 'sku-new', 10))));
  });
});

describe('Durable Object store in workerd: encryption at rest', () => {
  it('keeps the profile in the object as a TSE1 ciphertext that does not show the item id', async () => {
    const instance = `e${++instances}`;
    const store = remoteStore(worker.baseUrl, 'do', instance);
    await store.merge('visitor', delta('node-a', 'sku-private-item'));
    const res = await fetch(`${worker.baseUrl}/do-raw?name=${encodeURIComponent(`${instance}/visitor`)}`);
    expect(res.status).toBe(200);
    const raw = new Uint8Array(await res.arrayBuffer());
    const text = new TextDecoder('latin1').decode(raw);
    expect(text.startsWith('TSE1')).toBe(true);
    expect(text).not.toContain('sku-private-item');
    expect(canonical(await codec.decode(raw))).toEqual(canonical(delta('node-a', 'sku-private-item')));
  });
});
