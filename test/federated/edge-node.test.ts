/**
 * On-device learning as `tessera serve --federated` runs it: a Node app (the
 * demo shop) with the round endpoints mounted by its own settings, driven
 * over HTTP by the browser's protocol code (`takePart`, as in
 * src/federated/routes.test.ts). A round must close, move the served table,
 * and land in the registry as a `federated-mf` candidate with its privacy
 * budget. Then two apps on the real Redis bus, clients split across both:
 * one round closes across the nodes and both register the same version.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { takePart } from '../../src/browser/federated/protocol.js';
import { nodeAppOptions, resolveCommandConfig } from '../../src/cli/commands/serve.js';
import { fromBase64Url } from '../../src/core/identity/base64url.js';
import { epsilonOf, noiseMultiplierFor, roundRho } from '../../src/federated/accountant.js';
import { trainLocally } from '../../src/federated/client.js';
import { parseFederatedSettings } from '../../src/federated/edge-settings.js';
import { clipBeforeRounding } from '../../src/federated/secure-agg.js';
import { createNodeApp, type NodeApp, type NodeAppOptions } from '../../src/runtimes/node/app.js';
import { consoleLogger } from '../../src/runtimes/node/logger.js';
import { REDIS_URL, requireRedis, uniquePrefix } from '../helpers/services.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-fl-edge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function app(name: string, o: Partial<NodeAppOptions>): Promise<NodeApp> {
  return createNodeApp({
    store: 'memory:',
    dataDir: join(dir, name),
    nodeId: name,
    secret: 'federated-edge-secret-federated-edge-0000',
    retrainMs: 0,
    modelPollMs: 0,
    sessionRanker: false,
    logger: consoleLogger('error', { node: name, write: () => {} }),
    ...o,
  });
}

interface Model {
  version: number;
  items: string[];
  dim: number;
  clip: number;
  scale: number;
  table: Float32Array;
}

async function model(base: string): Promise<Model> {
  const res = await fetch(`${base}/federated/model`);
  expect(res.status).toBe(200);
  const m = (await res.json()) as Omit<Model, 'table'> & { table: string };
  const bytes = fromBase64Url(m.table)!;
  return { ...m, table: new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4) };
}

/** A visitor's clipped local update against the served table (the simulator's and the browser's code). */
function updateFor(m: Model, seen: number[]): Float32Array {
  return trainLocally(
    m.table,
    { items: Int32Array.from(seen), values: new Float32Array(seen.length).fill(1) },
    {
      dim: m.dim,
      alpha: 1,
      lambda: 1,
      epochs: 2,
      learningRate: 0.1,
      clip: clipBeforeRounding(m.clip, m.table.length, m.scale),
    },
  ).delta;
}

describe('tessera serve --federated', () => {
  it('passes the flag to the Node app', () => {
    expect(nodeAppOptions(resolveCommandConfig({ federated: true }, {})).federatedSettings).toBe(true);
    expect(nodeAppOptions(resolveCommandConfig({}, { TESSERA_FEDERATED: '1' })).federatedSettings).toBe(true);
    expect(nodeAppOptions(resolveCommandConfig({}, {})).federatedSettings).toBeUndefined();
    expect(() => resolveCommandConfig({}, { TESSERA_FEDERATED: 'yes' })).toThrow(/TESSERA_FEDERATED/);
  });

  it('reads the site section and refuses bad values by name', () => {
    expect(parseFederatedSettings(undefined)).toBeUndefined();
    expect(parseFederatedSettings(undefined, true)?.enabled).toBe(true);
    expect(parseFederatedSettings({ enabled: true, epsilon: 'inf' })?.epsilon).toBe(Number.POSITIVE_INFINITY);
    expect(() => parseFederatedSettings({ clientsPerRound: 0 })).toThrow(/clientsPerRound/);
    expect(() => parseFederatedSettings({ nodes: [] })).toThrow(/nodes/);
    expect(() => parseFederatedSettings({ enabled: 'yes' })).toThrow(/enabled/);
  });

  it('mounts the round endpoints, closes a round from browsers and registers the table as a candidate', async () => {
    // No endpoints without the switch.
    const off = await app('off', {});
    const port0 = await off.listen(0, '127.0.0.1');
    expect((await fetch(`http://127.0.0.1:${port0}/federated/model`)).status).toBe(404);
    await off.close();

    const node = await app('one', { federatedSettings: true });
    const base = `http://127.0.0.1:${await node.listen(0, '127.0.0.1')}`;
    try {
      const before = await model(base);
      expect(before.version).toBe(0);
      expect(before.dim).toBe(16);
      expect((await fetch(`${base}/tessera-federated.js`)).status).toBe(200);
      // The defaults: 8 clients per round; when all 8 submitted, the round closes at once.
      const deltas = Array.from({ length: 8 }, (_, i) => updateFor(before, [i, i + 1, i + 2]));
      expect(await Promise.all(deltas.map((d) => takePart(base, d, before.scale, 20)))).toEqual(
        Array(8).fill(0),
      );
      // This node alone closes the federation's round; the coordinator then serves its table.
      await expect.poll(async () => (await model(base)).version, { timeout: 5000 }).toBe(1);
      const after = await model(base);
      expect(after.table).not.toEqual(before.table);
      const status = (await (await fetch(`${base}/federated/status`)).json()) as Record<string, unknown>;
      const z = noiseMultiplierFor(8, 1e-5, 30);
      expect(status.epsilon).toBe(epsilonOf(roundRho(z), 1e-5));
      expect(status.closed).toMatchObject([{ round: 0, survivors: 8, dropped: 0 }]);
      // The registry: a federated-mf candidate with its budget; production is still the trained model.
      const registered = await node.federation!.version();
      expect(registered?.round).toBe(0);
      const aliases = await node.modelStore.aliases();
      expect(aliases.candidate).toBe(registered!.version);
      expect(aliases.production).not.toBe(registered!.version);
      const meta = (await node.modelStore.list()).find((m) => m.version === registered!.version)!;
      expect(meta.algorithm).toBe('federated-mf');
      expect(meta.params).toMatchObject({ rounds: 1, clients: 8, delta: 1e-5, noise_multiplier: z });
      expect(meta.params?.epsilon).toBeCloseTo(epsilonOf(roundRho(z), 1e-5), 12);
      // The next round takes clients again.
      expect(status).toMatchObject({ round: 1, phase: 'register', version: 1 });
    } finally {
      await node.close();
    }
  }, 60_000);
});

describe('two nodes on the Redis bus', () => {
  it('close one round with clients split across both, and both register the same version', async () => {
    await requireRedis();
    const prefix = uniquePrefix('fl-edge');
    const settings = parseFederatedSettings({
      enabled: true,
      clientsPerRound: 3,
      nodes: ['fl-a', 'fl-b'],
      dim: 4,
      rounds: 2,
      epsilon: 8,
      graceMs: 500,
    })!;
    const nodes = await Promise.all(
      ['fl-a', 'fl-b'].map((name) =>
        app(name, { federatedSettings: settings, cluster: { bus: REDIS_URL, prefix } }),
      ),
    );
    try {
      const bases = await Promise.all(
        nodes.map(async (n) => `http://127.0.0.1:${await n.listen(0, '127.0.0.1')}`),
      );
      const models = await Promise.all(bases.map(model));
      // Every node starts from the same table (the settings' seed), so the sums add up.
      expect(models[1]!.table).toEqual(models[0]!.table);
      expect(models[1]!.scale).toBe(models[0]!.scale);
      const parts = bases.flatMap((base, n) =>
        [0, 1, 2].map((i) => takePart(base, updateFor(models[n]!, [3 * n + i]), models[n]!.scale, 20)),
      );
      expect(await Promise.all(parts)).toEqual([0, 0, 0, 0, 0, 0]);
      for (const base of bases)
        await expect.poll(async () => (await model(base)).version, { timeout: 10_000 }).toBe(1);
      const [a, b] = await Promise.all(bases.map(model));
      // One closing, noise drawn once: both nodes serve the same table.
      expect(b!.table).toEqual(a!.table);
      expect(a!.table).not.toEqual(models[0]!.table);
      const versions = await Promise.all(nodes.map((n) => n.federation!.version()));
      expect(versions[0]).toEqual({ round: 0, version: versions[0]!.version });
      expect(versions[1]).toEqual(versions[0]);
      for (const n of nodes) {
        expect((await n.modelStore.aliases()).candidate).toBe(versions[0]!.version);
        const meta = (await n.modelStore.list()).find((m) => m.version === versions[0]!.version)!;
        expect(meta.params).toMatchObject({ rounds: 1, clients: 6, delta: 1e-5 });
        expect(n.federation!.closingOf(0)?.included).toEqual({ 'fl-a': 3, 'fl-b': 3 });
      }
    } finally {
      await Promise.all(nodes.map((n) => n.close()));
    }
  }, 60_000);
});
