/**
 * The GRU4Rec ONNX export run by onnxruntime-web inside workerd (wasm as a
 * CompiledWasm module): its scores match the TypeScript forward pass within 1e-4.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GruForward } from '../../src/train/algorithms/gru4rec/forward.js';
import { exportGru4RecOnnx } from '../../src/train/algorithms/gru4rec/onnx-export.js';
import { initWeights } from '../../src/train/algorithms/gru4rec/weights.js';
import { createRng } from '../../src/train/rng.js';
import { type OnnxWorker, startOnnxWorker } from './onnx-harness.js';

const weights = initWeights(1000, 32, createRng(7));
for (let i = 0; i < weights.b.length; i++) weights.b[i] = Math.sin(i) / 4;
for (let i = 0; i < weights.outBias.length; i++) weights.outBias[i] = Math.cos(i) / 2;
let worker: OnnxWorker;

beforeAll(async () => {
  worker = await startOnnxWorker();
}, 60_000);
afterAll(async () => {
  await worker?.close();
});

describe('ONNX in workerd', () => {
  it('scores 500 candidates as the TypeScript forward pass does, within 1e-4', async () => {
    const load = await fetch(`${worker.baseUrl}/load?items=1000`, {
      method: 'POST',
      body: exportGru4RecOnnx(weights, { candidates: true }),
    });
    expect(load.status, await load.clone().text()).toBe(200);
    const clicks = [1, 5, 9, 400, 2, 999, 17, 5, 60, 300];
    const candidates = Array.from({ length: 500 }, (_, i) => (i * 13) % 1000);
    const res = await fetch(`${worker.baseUrl}/score`, {
      method: 'POST',
      body: JSON.stringify({ clicks, candidates }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const got = (await res.json()) as number[];
    const ts = new GruForward(weights);
    ts.run(clicks);
    const want = ts.scores(new Float32Array(500), candidates);
    expect(got).toHaveLength(500);
    for (let i = 0; i < 500; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-4);
    expect(worker.bundleBytes + worker.wasmBytes).toBeLessThan(64 * 1024 * 1024);
  });
});
