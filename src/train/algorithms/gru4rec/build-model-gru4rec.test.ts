import { describe, expect, it } from 'vitest';
import type { CatalogItem } from '../../../core/config.js';
import { readArtifact } from '../../../core/recommend/artifact-read.js';
import type { LoggedEvent } from '../../../core/types.js';
import { checkOnnxContract } from '../../../models/onnx/contract.js';
import { loadOrtNode } from '../../../models/onnx/ort-node.js';
import { createOnnxScorer } from '../../../models/onnx/scorer.js';
import { buildModel } from '../../build-model.js';

const NOW = 1_750_000_000_000;
const items: CatalogItem[] = Array.from({ length: 30 }, (_, i) => ({
  id: `sku-${i}`,
  title: `Item ${i}`,
  category: 'c',
  brand: 'b',
  price: 10,
  tags: [],
  in_stock: true,
}));

/** Every visitor walks a chain: sku-k, sku-(k+1), sku-(k+2), sku-(k+3). */
function events(): LoggedEvent[] {
  const out: LoggedEvent[] = [];
  let seq = 0;
  for (let v = 0; v < 400; v++)
    for (let j = 0; j < 4; j++) {
      const ts = NOW + v * 3_600_000 + j * 1000;
      const item = `sku-${((v % 26) + j) % 30}`;
      out.push({ id: `e${seq++}`, type: 'view', item, ts, visitor: `v${v}`, node: 'n', received: ts });
    }
  return out;
}

describe('tessera train --algorithm gru4rec (buildModel)', () => {
  it('stores an ONNX session model that predicts the next item of a chain', async () => {
    const lines: string[] = [];
    const { artifact, stats } = await buildModel({
      catalog: items,
      events: events(),
      k: 4,
      now: NOW,
      algorithm: 'gru4rec',
      log: (l) => lines.push(l),
    });
    expect(stats.algorithm).toBe('gru4rec');
    expect(lines.some((l) => l.startsWith('gru4rec: '))).toBe(true);
    const a = readArtifact(artifact);
    const onnx = a.sessionOnnx!;
    const contract = checkOnnxContract(onnx, a.itemCount);
    expect(contract.candidates).toBe(true);
    const scorer = await createOnnxScorer(await loadOrtNode(), onnx, contract, a.itemCount);
    const clicks = ['sku-5', 'sku-6', 'sku-7'].map((id) => a.indexOf(id));
    const all = Int32Array.from({ length: a.itemCount }, (_, i) => i);
    const scores = await scorer.score(clicks, all);
    const best = a.idOf(scores.indexOf(Math.max(...scores)));
    expect(best).toBe('sku-8');
  });
});
