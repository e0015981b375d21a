import { describe, expect, it } from 'vitest';
import { applyEvent } from './apply.js';
import { decodeProfile, encodeProfile } from './codec.js';
import { sumKey } from './components.js';
import { DerivedMemo, newestAffinitySums } from './derived.js';
import { emptyProfile } from './empty.js';
import { event, opts, T0 } from './test-helpers.js';

describe('data derived from a profile, remembered per profile', () => {
  const folded = (n: number) => {
    let p = emptyProfile(T0);
    for (let i = 0; i < n; i++) p = applyEvent(p, event('view', `e${i}`, T0, 'a'), opts('n1', T0));
    return p;
  };

  it('answers for the profile it was kept for, and only that one, while the fold goes on', () => {
    const memo = new DerivedMemo<{ n: number }>();
    const other = new DerivedMemo<{ n: number }>();
    const p1 = folded(1);
    expect(memo.get(p1)).toBeUndefined();
    memo.set(p1, { n: 1 });
    other.set(p1, { n: -1 });
    expect(memo.get(p1)).toEqual({ n: 1 });
    expect(other.get(p1)).toEqual({ n: -1 });
    memo.set(p1, { n: 11 });
    expect(memo.get(p1)).toEqual({ n: 11 });
    // The next event makes a new version from the same fold state: nothing kept holds for it,
    // and the old version (no longer the state's owner) lost what was kept with the state.
    const p2 = applyEvent(p1, event('view', 'e1', T0, 'a'), opts('n1', T0));
    expect(p2).not.toBe(p1);
    expect(memo.get(p2)).toBeUndefined();
    expect(other.get(p2)).toBeUndefined();
    memo.set(p2, { n: 2 });
    expect(memo.get(p2)).toEqual({ n: 2 });
    expect(other.get(p2)).toBeUndefined();
    // The old version is no longer owned: it is remembered apart from the state.
    expect(memo.get(p1)).toBeUndefined();
    memo.set(p1, { n: 1 });
    expect(memo.get(p1)).toEqual({ n: 1 });
    expect(memo.get(p2)).toEqual({ n: 2 });
  });

  it('remembers profiles the fold did not make (decoded), and profiles whose state was let go', () => {
    const memo = new DerivedMemo<{ n: number }>();
    const decoded = decodeProfile(encodeProfile(folded(2)));
    memo.set(decoded, { n: 7 });
    expect(memo.get(decoded)).toEqual({ n: 7 });
    const kept = folded(1);
    memo.set(kept, { n: 3 });
    // Other visitors fold meanwhile: `kept` is no longer the newest profile, kept with its state.
    for (let v = 0; v < 100; v++) folded(1);
    expect(memo.get(kept)).toBeUndefined();
    memo.set(kept, { n: 4 });
    expect(memo.get(kept)).toEqual({ n: 4 });
  });

  it("reads the newest profile's affinity sums from its fold state, equal to sumKey to the bit", () => {
    // Integer-like node ids enumerate first in a record, not in string order: sums must still match.
    const nodes = ['10', '2', 'n1', '1'];
    const items = ['a', 'b', 'c', 'd', 'x', 'y'];
    let seed = 7;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed % n;
    };
    const keys: string[] = [];
    const sums: number[] = [];
    for (let run = 0; run < 50; run++) {
      let p = emptyProfile(T0);
      for (let i = 0; i < 30; i++) {
        const node = nodes[rand(nodes.length)]!;
        const type = (['view', 'click', 'purchase'] as const)[rand(3)]!;
        p = applyEvent(
          p,
          event(type, `r${run}e${i}`, T0 + i * 997, items[rand(items.length)]),
          opts(node, T0 + 30_000),
        );
        const n = newestAffinitySums(p, keys, sums);
        expect(n).toBe(Object.keys(p.affinities).length);
        for (let k = 0; k < n; k++) expect(Object.is(sums[k], sumKey(p.affinities, keys[k]!))).toBe(true);
        expect(new Set(keys.slice(0, n))).toEqual(new Set(Object.keys(p.affinities)));
      }
      // Any profile but the newest is not read this way.
      expect(newestAffinitySums(emptyProfile(T0), keys, sums)).toBe(-1);
    }
  });
});
