import { describe, expect, it } from 'vitest';
import { cooccurrenceNeighbours } from './cooccurrence.js';

const index = new Map(['a', 'b', 'c', 'd', 'e'].map((id, i) => [id, i]));
const repeat = (session: string[], n: number) => Array.from({ length: n }, () => session);

describe('cooccurrenceNeighbours', () => {
  it('ranks the items seen together most often first', () => {
    const { neighbours } = cooccurrenceNeighbours(
      [...repeat(['a', 'b'], 10), ...repeat(['a', 'c'], 3)],
      index,
      5,
    );
    expect(neighbours[0]!.map(([j]) => j)).toEqual([1, 2]);
    expect(neighbours[1]!.map(([j]) => j)).toEqual([0]);
    expect(neighbours[3]).toEqual([]);
  });

  it('shrinks pairs with little evidence below well-attested ones of equal cosine', () => {
    // a–b co-occur once (cosine 1); c–d co-occur 20 times (cosine 1).
    const { neighbours } = cooccurrenceNeighbours([['a', 'b'], ...repeat(['c', 'd'], 20)], index, 5);
    expect(neighbours[0]![0]![1]).toBeLessThan(neighbours[2]![0]![1]);
    expect(neighbours[2]![0]![1]).toBeGreaterThan(0.75);
  });

  it('counts interactions and per-item observations, skipping unknown ids and repeats', () => {
    const r = cooccurrenceNeighbours([['a', 'zzz', 'b', 'a'], ['c']], index, 5);
    expect(r.interactions).toBe(4);
    expect([...r.observations]).toEqual([1, 1, 0, 0, 0]);
  });

  it('keeps at most k neighbours', () => {
    const r = cooccurrenceNeighbours([['a', 'b', 'c', 'd', 'e']], index, 2);
    expect(r.neighbours[0]!.length).toBe(2);
  });
});
