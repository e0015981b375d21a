import { describe, expect, it } from 'vitest';
import { readArtifact } from '../../core/recommend/index.js';
import { GruForward } from '../../train/algorithms/gru4rec/forward.js';
import { Gru4RecModel } from '../../train/algorithms/gru4rec/model.js';
import { exportGru4RecOnnx } from '../../train/algorithms/gru4rec/onnx-export.js';
import { sequentialSessions } from '../../train/data/synthetic.js';
import { checkOnnxContract } from './contract.js';
import { onnxArtifact } from './onnx-artifact.js';
import { loadOrtNode } from './ort-node.js';
import { createOnnxScorer } from './scorer.js';
import { validateOnnxModel } from './validate.js';

const data = sequentialSessions({ items: 300, sessions: 1500, themes: 12, seed: 5 });
const model = new Gru4RecModel({ hidden: 16, epochs: 1, negatives: 16, batch: 16 });
model.fit(data);
const weights = model.weights!;
const clicks = [3, 17, 42, 5, 99, 3, 250, 8, 11, 120];
const candidates = Int32Array.from({ length: 200 }, (_, i) => (i * 7) % 300);

describe('GRU4Rec through ONNX', () => {
  it('trains: the next item of a chain ranks above chance', () => {
    let hits = 0;
    let asked = 0;
    for (const s of data.sessions.slice(0, 300))
      for (let j = 1; j < s.items.length; j++, asked++)
        if (model.predict(s.items.subarray(0, j), 20).includes(s.items[j]!)) hits++;
    expect(hits / asked).toBeGreaterThan((20 / 300) * 2);
  });

  it('scores the same in onnxruntime (wasm) and in TypeScript, within 1e-4', async () => {
    const ort = await loadOrtNode();
    const ts = new GruForward(weights);
    ts.run(clicks);
    for (const withCandidates of [true, false]) {
      const bytes = exportGru4RecOnnx(weights, { candidates: withCandidates });
      const contract = checkOnnxContract(bytes, weights.items);
      const scorer = await createOnnxScorer(ort, bytes, contract, weights.items);
      const got = await scorer.score(clicks, candidates);
      const want = ts.scores(new Float32Array(candidates.length), candidates);
      expect(got.length).toBe(candidates.length);
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-4);
    }
  });

  it('imports a model from the exporter and keeps it in an artifact', async () => {
    const bytes = exportGru4RecOnnx(weights, { candidates: true });
    const contract = await validateOnnxModel(await loadOrtNode(), bytes, weights.items);
    expect(contract).toMatchObject({ opset: 14, candidates: true, contextFeatures: 0 });
    const items = data.itemIds.map((id) => ({ id, category: '', brand: '', tags: [], in_stock: true }));
    const art = readArtifact(await onnxArtifact(items, bytes, { trainer: 'onnx/tessera' }));
    expect(art.sessionOnnx && Array.from(art.sessionOnnx)).toEqual(Array.from(bytes));
    expect(art.itemCount).toBe(300);
  });

  it('refuses a model whose scores do not cover the item table', async () => {
    const bytes = exportGru4RecOnnx(weights, { candidates: false });
    await expect(validateOnnxModel(await loadOrtNode(), bytes, 301)).rejects.toThrow(
      /\[tessera\] \[onnx\] scores must have shape \[1, 301\], has \[1, 300\]/,
    );
  });

  it('refuses a garbage file with a clear error', async () => {
    const garbage = new TextEncoder().encode('this is not a model, just some text\n'.repeat(20));
    await expect(validateOnnxModel(await loadOrtNode(), garbage, 300)).rejects.toThrow(
      /\[tessera\] \[onnx\] not an ONNX model/,
    );
  });
});
