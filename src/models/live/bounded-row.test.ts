import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedRow, kthSmallest } from './bounded-row.js';

describe('kthSmallest', () => {
  it('is the k-th value of the sorted row, ties and all', () => {
    fc.assert(
      fc.property(
        // Few distinct values: ties at the cut are the case the prune's rules are about.
        fc.array(
          fc.integer({ min: 1, max: 8 }).map((x) => x / 4),
          { minLength: 1, maxLength: 97 },
        ),
        fc.nat(),
        (values, pick) => {
          const k = pick % values.length;
          const a = Float64Array.from(values);
          const sorted = Float64Array.from(values).sort();
          expect(kthSmallest(a, values.length, k)).toBe(sorted[k]);
        },
      ),
    );
  });

  it('looks at the first n values only', () => {
    const a = Float64Array.from([5, 1, 4, 0.5, 0.25]);
    expect(kthSmallest(a, 3, 0)).toBe(1);
    expect(kthSmallest(Float64Array.from([5, 1, 4, 0.5]), 3, 2)).toBe(5);
  });
});

describe('BoundedRow', () => {
  it('keeps the strongest neighbours and the one just added when it prunes', () => {
    const names = Array.from({ length: 20 }, (_, i) => `i${i}`);
    const row = new BoundedRow(4, 2, names, new Float64Array(7));
    for (let i = 0; i < 6; i++) row.add(i, i + 1);
    row.add(6, 0.5); // the seventh: prunes to the limit, the 3 strongest and itself (the tie at the cut goes)
    expect([...row.keys()]).toEqual(['i3', 'i4', 'i5', 'i6']);
  });
});
