import { describe, expect, it } from 'vitest';
import { readArtifact } from '../../core/recommend/index.js';
import type { RecommendedItem } from '../../core/types.js';
import { LatencyGuard } from './latency-guard.js';
import { onnxArtifact } from './onnx-artifact.js';
import type { SessionScorer } from './scorer.js';
import { rankWithSessionModel } from './session-ranker.js';

const rows = Array.from({ length: 20 }, (_, i) => ({
  id: `sku-${i}`,
  category: '',
  brand: '',
  tags: [],
  in_stock: true,
}));
const artifact = readArtifact(await onnxArtifact(rows, new Uint8Array(8), { trainer: 'test' }));
const candidates: RecommendedItem[] = [3, 4, 5, 6].map((i) => ({
  item: `sku-${i}`,
  score: 10 - i,
  reason: 'neighbours',
}));
/** Scores each candidate by its index: the model reverses the neighbour order. */
const byIndex: SessionScorer = { score: async (_c, cand) => Float32Array.from(cand ?? [], (i) => i) };

function fakeClock(stepMs: number): () => number {
  let t = 0;
  return () => (t += stepMs);
}

describe('the session ranker', () => {
  it("re-orders the neighbour-based candidates by the model's scores", async () => {
    const r = await rankWithSessionModel({
      artifact,
      clicks: ['sku-1', 'sku-2'],
      candidates,
      count: 3,
      scorer: byIndex,
      guard: new LatencyGuard({ budgetMs: 2 }),
      clock: fakeClock(0.1),
      model: 'gru4rec-onnx',
    });
    expect(r.items.map((x) => x.item)).toEqual(['sku-6', 'sku-5', 'sku-4']);
    expect(r.trace.data).toMatchObject({ ranker: 'gru4rec-onnx', candidates: 4 });
  });

  it('falls back to the neighbour list, and says so, once the model is over its budget', async () => {
    const guard = new LatencyGuard({ budgetMs: 2, window: 10, cooldown: 5 });
    const input = {
      artifact,
      clicks: ['sku-1'],
      candidates,
      count: 2,
      scorer: byIndex,
      guard,
      clock: fakeClock(3),
      model: 'gru4rec-onnx',
    };
    await rankWithSessionModel(input); // 3 ms: over budget, the guard opens
    const r = await rankWithSessionModel(input);
    expect(r.items.map((x) => x.item)).toEqual(['sku-3', 'sku-4']);
    expect(r.trace.detail).toMatch(/^neighbours: gru4rec-onnx over its latency budget/);
  });

  it('falls back when the model throws or knows none of the clicks', async () => {
    const failing: SessionScorer = {
      score: async () => {
        throw new Error('boom');
      },
    };
    const base = { artifact, candidates, count: 2, guard: new LatencyGuard({ budgetMs: 2 }), model: 'm' };
    const a = await rankWithSessionModel({ ...base, clicks: ['sku-1'], scorer: failing });
    expect(a.trace.detail).toBe('neighbours: m failed: boom');
    const b = await rankWithSessionModel({ ...base, clicks: ['unknown'], scorer: byIndex });
    expect(b.trace.detail).toBe('neighbours: no click the session model knows');
    expect(b.items).toEqual(candidates.slice(0, 2));
  });
});
