import { describe, expect, it } from 'vitest';
import type { SessionData } from '../model-types.js';
import { SessionKnn } from './sknn.js';

const sess = (id: string, items: number[], t: number) => ({
  id,
  items: Int32Array.from(items),
  ts: Float64Array.from(items, () => t),
});
// Training sessions, given out of time order on purpose.
const data: SessionData = {
  itemIds: ['0', '1', '2', '3', '4', '5'],
  sessions: [
    sess('old', [0, 1, 2], 100), // index 1 after sorting by time
    sess('oldest', [0, 3], 50), // index 0
    sess('new', [0, 1, 4, 5], 300), // index 3
    sess('mid', [5], 200), // index 2: shares nothing with [0, 1]
  ],
};

describe('session kNN (S-kNN)', () => {
  it('selects neighbours by cosine of item sets, |A∩B| / √(|A||B|)', () => {
    const m = new SessionKnn({ k: 10, sampleSize: 0 });
    m.fit(data);
    const nb = m.neighboursOf([0, 1]);
    expect(nb.map(([s]) => s)).toEqual([1, 3, 0]);
    expect(nb[0]![1]).toBeCloseTo(2 / Math.sqrt(2 * 3));
    expect(nb[1]![1]).toBeCloseTo(2 / Math.sqrt(2 * 4));
    expect(nb[2]![1]).toBeCloseTo(1 / Math.sqrt(2 * 2));
  });

  it('keeps the k best, and samples the most recent sessions first', () => {
    const top1 = new SessionKnn({ k: 1, sampleSize: 0 });
    top1.fit(data);
    expect(top1.neighboursOf([0, 1]).map(([s]) => s)).toEqual([1]);
    const recent = new SessionKnn({ k: 10, sampleSize: 1 });
    recent.fit(data);
    expect(recent.neighboursOf([0, 1]).map(([s]) => s)).toEqual([3]);
  });

  it('scores an item by the summed similarity of the neighbours holding it', () => {
    const m = new SessionKnn({ k: 10, sampleSize: 0 });
    m.fit(data);
    // 0 and 1 are in the session itself and also in neighbours; 2 from `old` (0.816), 4 and 5 from `new` (0.707), 3 from `oldest` (0.5).
    expect(Array.from(m.predict([0, 1], 6))).toEqual([0, 1, 2, 4, 5, 3]);
  });

  it('compares only the last N clicks when lastN is set', () => {
    const m = new SessionKnn({ k: 10, sampleSize: 0, lastN: 1 });
    m.fit(data);
    const nb = m.neighboursOf([0, 1]);
    expect(nb.map(([s]) => s)).toEqual([1, 3]); // sessions holding 1; `oldest` shares only 0
  });
});
