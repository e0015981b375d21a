/**
 * `--session-ranker` / `TESSERA_SESSION_RANKER`: which engine runs a model's
 * session network on a Node node. Checked down to the ranker the app gets for
 * a GRU4Rec artifact, so a flag that parses but is not wired would fail here.
 */
import { describe, expect, it } from 'vitest';
import { readArtifact } from '../../core/recommend/index.js';
import { onnxArtifact } from '../../models/onnx/onnx-artifact.js';
import { resolveNodeConfig } from '../../runtimes/node/config.js';
import { Gru4RecModel } from '../../train/algorithms/gru4rec/model.js';
import { exportGru4RecOnnx } from '../../train/algorithms/gru4rec/onnx-export.js';
import { sequentialSessions } from '../../train/data/synthetic.js';
import { nodeAppOptions } from './serve.js';

async function gruArtifact() {
  const data = sequentialSessions({ items: 60, sessions: 300, themes: 6, seed: 3 });
  const model = new Gru4RecModel({ hidden: 8, epochs: 1, negatives: 8, batch: 16 });
  model.fit(data);
  const items = data.itemIds.map((id) => ({ id, category: '', brand: '', tags: [], in_stock: true }));
  const bytes = exportGru4RecOnnx(model.weights!, { candidates: true });
  return readArtifact(await onnxArtifact(items, bytes, { trainer: 'onnx/test' }));
}

describe('--session-ranker', () => {
  it('defaults to onnx, and refuses anything but onnx, typescript or off', () => {
    expect(resolveNodeConfig({}).sessionRanker).toBe('onnx');
    expect(resolveNodeConfig({ env: { sessionRanker: 'off' } }).sessionRanker).toBe('off');
    expect(() => resolveNodeConfig({ flags: { sessionRanker: 'wasm' } })).toThrow(
      /--session-ranker must be onnx, typescript or off, got "wasm"/,
    );
  });

  it('gives the app the TypeScript ranker, none, or (default) the app’s onnxruntime one', async () => {
    const art = await gruArtifact();
    const ts = nodeAppOptions(resolveNodeConfig({ flags: { sessionRanker: 'typescript' } })).sessionRanker;
    expect(ts).toBeTruthy();
    const ranker = ts ? await ts.forModel(art) : undefined;
    expect(ranker).toMatchObject({ name: 'gru4rec-ts', version: art.version });
    expect(nodeAppOptions(resolveNodeConfig({ flags: { sessionRanker: 'off' } })).sessionRanker).toBe(false);
    // Left out: createNodeApp's default, onnxruntime-web loaded on the first model with an ONNX section.
    expect('sessionRanker' in nodeAppOptions(resolveNodeConfig({}))).toBe(false);
  });
});
