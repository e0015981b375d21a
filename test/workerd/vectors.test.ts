/**
 * The rules, variant-key and profile-merge vectors, evaluated inside workerd
 * by the same runner as the Node test (test/vectors/runner.ts, bundled into
 * the test Worker): every case must give its `expect` there too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import merges from '../vectors/profile-merges.json' with { type: 'json' };
import rules from '../vectors/rules.json' with { type: 'json' };
import type { VectorKind } from '../vectors/runner.js';
import variantKeys from '../vectors/variant-keys.json' with { type: 'json' };
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

async function inWorkerd(kind: VectorKind, file: unknown): Promise<unknown[]> {
  const res = await fetch(`${worker.baseUrl}/vectors/${kind}`, {
    method: 'POST',
    body: JSON.stringify(file),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as unknown[];
}

describe('in workerd', () => {
  it('gives every rules.json case its segments or compile error', async () => {
    const got = await inWorkerd('rules', rules);
    expect(got).toEqual(rules.cases.map((c) => c.expect));
  });

  it('gives every variant-keys.json case its key', async () => {
    const got = await inWorkerd('variant-keys', variantKeys);
    expect(got).toEqual(variantKeys.cases.map((c) => c.expect));
  });

  it('gives every profile-merges.json case its reads, in every merge order', async () => {
    const got = await inWorkerd('profile-merges', merges);
    expect(got).toEqual(merges.cases.map((c) => ({ reads: c.expect, differingOrders: [] })));
  });
});
