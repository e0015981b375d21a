import { describe, expect, it } from 'vitest';
import type { SessionData } from '../model-types.js';
import { StanModel } from './stan.js';

const sess = (id: string, items: number[], t: number) => ({
  id,
  items: Int32Array.from(items),
  ts: Float64Array.from(items, () => t),
});
// Item 2 is followed by 3 on the "x" intent (with 0) and by 4 on the "y" intent (with 1).
const data: SessionData = {
  itemIds: ['0', '1', '2', '3', '4'],
  sessions: [
    sess('a', [0, 2, 3], 1),
    sess('b', [1, 2, 4], 2),
    sess('c', [0, 2, 3], 3),
    sess('d', [1, 2, 4], 4),
  ],
};

describe('STAN (+SR)', () => {
  it('uses the session context to choose between the successors of the last click', () => {
    const m = new StanModel({ srWeight: 0, backward: 0 });
    m.fit(data);
    expect(m.predict([0, 2], 1)[0]).toBe(3);
    expect(m.predict([1, 2], 1)[0]).toBe(4);
  });

  it('does not recommend the click just made from its own occurrence', () => {
    const m = new StanModel({ srWeight: 0, backward: 0 });
    m.fit(data);
    expect(Array.from(m.predict([0, 2], 5))).not.toContain(2);
  });

  it('credits items before the shared one only by the `backward` factor', () => {
    const none = new StanModel({ srWeight: 0, backward: 0 });
    none.fit(data);
    expect(Array.from(none.predict([2], 5)).sort()).toEqual([3, 4]);
    const some = new StanModel({ srWeight: 0, backward: 0.5 });
    some.fit(data);
    expect(Array.from(some.predict([2], 5)).sort()).toEqual([0, 1, 3, 4]);
  });

  it('is deterministic: the same prefix gives the same ranking twice', () => {
    const m = new StanModel();
    m.fit(data);
    expect(Array.from(m.predict([0, 2], 5))).toEqual(Array.from(m.predict([0, 2], 5)));
  });
});
