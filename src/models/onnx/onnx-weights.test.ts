import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { readArtifact } from '../../core/recommend/index.js';
import { Gru4RecModel } from '../../train/algorithms/gru4rec/model.js';
import { exportGru4RecOnnx } from '../../train/algorithms/gru4rec/onnx-export.js';
import { sequentialSessions } from '../../train/data/synthetic.js';
import { checkOnnxContract } from './contract.js';
import { readGru4RecOnnx } from './gru-onnx-weights.js';
import { onnxArtifact } from './onnx-artifact.js';
import { loadOrtNode } from './ort-node.js';
import { createOnnxScorer } from './scorer.js';
import { typescriptScorer, typescriptSessionRankers } from './ts-scorer.js';

const { onnx } = onnxProto;

const data = sequentialSessions({ items: 300, sessions: 1500, themes: 12, seed: 7 });
const model = new Gru4RecModel({ hidden: 16, epochs: 1, negatives: 16, batch: 16 });
model.fit(data);
const weights = model.weights!;
const clicks = [3, 17, 42, 5, 99, 3, 250, 8, 11, 120];
const candidates = Int32Array.from({ length: 200 }, (_, i) => (i * 7) % 300);
const items = data.itemIds.map((id) => ({ id, category: '', brand: '', tags: [], in_stock: true }));

/** The exported model, changed by `edit` on its decoded protobuf. */
function edited(edit: (m: onnxProto.onnx.ModelProto) => void): Uint8Array {
  const m = onnx.ModelProto.decode(exportGru4RecOnnx(weights, { candidates: true }));
  edit(m);
  return onnx.ModelProto.encode(m).finish();
}
const nodesOf = (m: onnxProto.onnx.ModelProto) => m.graph!.node! as onnxProto.onnx.NodeProto[];
const nodeOf = (m: onnxProto.onnx.ModelProto, op: string) => nodesOf(m).find((n) => n.opType === op)!;
const attrOf = (m: onnxProto.onnx.ModelProto, op: string, name: string) =>
  nodeOf(m, op).attribute.find((a) => a.name === name)!;

describe('the TypeScript path reads GRU4Rec weights back out of ONNX', () => {
  it('reads back exactly the weights the exporter wrote, with and without candidates', () => {
    for (const withCandidates of [true, false]) {
      const back = readGru4RecOnnx(exportGru4RecOnnx(weights, { candidates: withCandidates }));
      expect(back.items).toBe(300);
      expect(back.hidden).toBe(16);
      for (const k of ['embed', 'w', 'r', 'b', 'out', 'outBias'] as const)
        expect(Array.from(back[k])).toEqual(Array.from(weights[k]));
    }
  });

  it("scores an artifact's ONNX section as onnxruntime-web does, within 1e-4", async () => {
    const ort = await loadOrtNode();
    for (const withCandidates of [true, false]) {
      const bytes = exportGru4RecOnnx(weights, { candidates: withCandidates });
      const art = readArtifact(await onnxArtifact(items, bytes, { trainer: 'onnx/test' }));
      const onnxBytes = art.sessionOnnx!;
      const ts = typescriptScorer(onnxBytes, art);
      const wasm = await createOnnxScorer(ort, onnxBytes, checkOnnxContract(onnxBytes, 300), 300);
      for (const cands of [candidates, undefined]) {
        const want = await wasm.score(clicks, cands);
        const got = await ts.score(clicks, cands);
        expect(got.length).toBe(cands ? 200 : 300);
        let max = 0;
        for (let i = 0; i < want.length; i++) max = Math.max(max, Math.abs(got[i]! - want[i]!));
        expect(max).toBeLessThan(1e-4);
        // Not trivially equal: the scores spread.
        expect(Math.max(...got) - Math.min(...got)).toBeGreaterThan(0.01);
      }
    }
  });

  it('serves as a session ranker without onnxruntime (`gru4rec-ts`)', async () => {
    const bytes = exportGru4RecOnnx(weights, { candidates: true });
    const art = readArtifact(await onnxArtifact(items, bytes, { trainer: 'onnx/test' }));
    const ranker = await typescriptSessionRankers({ budgetMs: 10_000 }).forModel(art);
    expect(ranker).toMatchObject({ name: 'gru4rec-ts', version: art.version });
    const list = Array.from(candidates.slice(0, 50), (i) => ({
      item: data.itemIds[i]!,
      score: 0,
      reason: '',
    }));
    const ranked = await ranker!.rank(
      clicks.map((i) => data.itemIds[i]!),
      list,
      10,
    );
    const scores = typescriptScorer(bytes, art).score(clicks, candidates.slice(0, 50));
    const best = (await scores).indexOf(Math.max(...(await scores)));
    expect(ranked.items?.[0]?.item).toBe(data.itemIds[candidates[best]!]);
  });

  it('refuses a graph it does not understand, naming what it lacks', () => {
    const cases: Array<[Uint8Array, RegExp]> = [
      [
        edited((m) => {
          attrOf(m, 'GRU', 'linear_before_reset').i = 0;
        }),
        /the GRU lacks linear_before_reset = 1/,
      ],
      [
        edited((m) => {
          nodeOf(m, 'GRU').opType = 'LSTM';
        }),
        /operator LSTM is not one it runs/,
      ],
      [
        edited((m) => {
          attrOf(m, 'Gemm', 'transB').i = 0;
        }),
        /the Gemm is not h · outᵀ/,
      ],
      [
        edited((m) => {
          const w = (m.graph!.initializer as onnxProto.onnx.TensorProto[]).find((t) => t.name === 'W')!;
          w.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
        }),
        /the GRU input weights W "W" is stored outside the file/,
      ],
      [
        edited((m) => {
          // The GRU fed by the embeddings of `candidates` instead of the clicks.
          nodesOf(m).find((n) => n.opType === 'Gather' && n.input[1] === 'items')!.input[1] = 'candidates';
        }),
        /the GRU input is not the item embeddings gathered by "items"/,
      ],
    ];
    for (const [bytes, message] of cases) {
      expect(() => readGru4RecOnnx(bytes)).toThrow(
        /^\[tessera\] \[onnx\] the TypeScript path cannot run this graph: /,
      );
      expect(() => readGru4RecOnnx(bytes)).toThrow(message);
    }
    expect(() => readGru4RecOnnx(new TextEncoder().encode('not a model at all\n'.repeat(10)))).toThrow(
      /^\[tessera\] \[onnx\] not an ONNX model/,
    );
  });

  it("refuses weights that do not match the model's item table", () => {
    const bytes = exportGru4RecOnnx(weights, { candidates: true });
    expect(() => typescriptScorer(bytes, { itemCount: 301 })).toThrow(
      "[tessera] [onnx] the item embeddings have 300 rows, the model's item table 301 items",
    );
  });
});
