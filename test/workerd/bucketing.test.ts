/**
 * The language-neutral bucketing vectors, evaluated inside workerd: the
 * Worker computes fnv1a32, hashUnit and assignArm for every vector and must
 * give exactly the expected values (the same ones Node gives).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import vectors from '../vectors/bucketing.json' with { type: 'json' };
import { type RunningWorker, startWorker } from './miniflare.js';

let worker: RunningWorker;
beforeAll(async () => {
  worker = await startWorker('test/workerd/store-worker.ts', {
    kvNamespaces: ['KV'],
    durableObjects: { PROFILES: 'TesseraProfiles' },
  });
});
afterAll(async () => {
  await worker?.close();
});

it('gives the same hashes, units and arms in workerd as the vectors', async () => {
  const res = await fetch(`${worker.baseUrl}/bucketing`, { method: 'POST', body: JSON.stringify(vectors) });
  const got = (await res.json()) as {
    fnv1a32: number[];
    hashUnit: number[];
    experiments: Array<Array<string | null>>;
  };
  expect(got.fnv1a32).toEqual(vectors.fnv1a32.map((v) => v.hash));
  expect(got.hashUnit).toEqual(vectors.hashUnit.map((v) => v.unit));
  expect(got.experiments).toEqual(vectors.experiments.map((e) => e.cases.map((c) => c.arm)));
  expect(got.experiments.flat().length).toBeGreaterThan(10);
});
