import { describe, expect, it } from 'vitest';
import { CandidateTable } from './candidate-table.js';

describe('CandidateTable', () => {
  it('keeps every entry and its data when it grows', () => {
    const t = new CandidateTable(16);
    t.block(14);
    for (let id = 0; id < 5000; id += 7) {
      const slot = t.slotOf(id); // may grow the table, so look up `score` after
      t.score[slot] = id / 7;
    }
    for (let id = 0; id < 5000; id += 7) {
      const slot = t.find(id);
      expect(slot).toBeGreaterThanOrEqual(0);
      expect(t.score[slot]).toBe(id / 7);
    }
    expect(t.isBlocked(14)).toBe(true);
    expect(t.isBlocked(21)).toBe(false);
    expect(t.find(1)).toBe(-1);
  });

  it('forgets everything on clear, including blocks', () => {
    const t = new CandidateTable();
    t.block(3);
    t.slotOf(4);
    t.clear();
    expect(t.used).toBe(0);
    expect(t.isBlocked(3)).toBe(false);
    expect(t.find(4)).toBe(-1);
  });

  it('accumulates weighted scores, stops at padding and enters ineligible items as blocked', () => {
    const t = new CandidateTable();
    const ids = new Int32Array([5, 6, 7, -1, 8]);
    const scores = new Float32Array([0.5, 0.25, 1, 0, 1]);
    t.reserve(ids.length * 2);
    t.accumulate(ids, scores, 0, 5, 2, 0, (id) => id !== 7);
    t.accumulate(ids, scores, 0, 2, 4, 1, () => true);
    expect(t.score[t.find(5)]).toBe(3);
    expect(t.via[t.find(5)]).toBe(1); // 4·0.5 beats 2·0.5
    expect(t.isBlocked(7)).toBe(true);
    expect(t.find(8)).toBe(-1);
  });
});
