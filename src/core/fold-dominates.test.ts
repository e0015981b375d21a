/**
 * The write-behind path stores a profile folded from the one the store holds
 * without merging it again (profile-writes.ts): that is right only if the
 * merge would give the folded profile back, whatever the stored profile held
 * (other nodes' counters, registers with later clocks, full limits) and
 * however many batches were folded on top of it before the write.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSqliteStore } from '../profiles/sqlite.js';
import { applyEvents, emptyProfile, mergeProfiles } from './profile/index.js';
import {
  arbEvent,
  arbProfile,
  canonical,
  catalog,
  event,
  HALF_LIFE,
  NODES,
  T0,
} from './profile/test-helpers.js';
import { ProfileWrites } from './profile-writes.js';
import type { Hlc, Profile } from './types.js';

const arbStored = fc
  .array(fc.oneof(arbProfile(20 * HALF_LIFE), arbProfile(1000 * HALF_LIFE)), { minLength: 1, maxLength: 3 })
  .map((ps) => ps.reduce((a, b) => mergeProfiles(a, b)));
const arbBatches = (spanMs: number) =>
  fc.array(fc.array(arbEvent(spanMs), { maxLength: 30 }), { minLength: 1, maxLength: 4 });

describe('a profile folded from the stored one', () => {
  it('is what merging it into the stored one gives', () => {
    fc.assert(
      fc.property(
        arbStored,
        fc.oneof(arbBatches(20 * HALF_LIFE), arbBatches(1000 * HALF_LIFE)),
        fc.constantFrom(...NODES),
        fc.integer({ min: -1000 * HALF_LIFE, max: 1000 * HALF_LIFE }),
        (stored, batches, node, skew) => {
          // The node's clock may be behind what the stored profile saw (another node's) or ahead of it.
          let l = 0;
          const at = (): Hlc => ({ p: T0 + skew + 1000 * l, l: l++ % 3, n: node });
          let folded = stored;
          for (const events of batches)
            folded = applyEvents(folded, events, { node, at, halfLifeMs: HALF_LIFE, item: catalog });
          expect(canonical(mergeProfiles(stored, folded))).toBe(canonical(folded));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('the write behind', () => {
  const node = 'n1';
  const fold = (p: Profile, id: string) =>
    applyEvents(p, [event('view', id, T0, 'a')], {
      node,
      at: { p: T0, l: 0, n: node },
      halfLifeMs: HALF_LIFE,
    });

  it('names the last stored result as what a profile was folded from, only when it was', async () => {
    const parents = new WeakMap<Profile, Profile>();
    const overs: Array<Profile | undefined> = [];
    let last: Profile | undefined;
    const writes = new ProfileWrites({
      delayMs: 0,
      // Merged, the store's result is a new object, as a store's merge gives.
      write: async (_v, profile, over) => {
        overs.push(over);
        return over === undefined ? mergeProfiles(emptyProfile(T0), profile) : profile;
      },
      written: (_v, _p, merged) => {
        last = merged;
      },
      failed: () => {},
      foldedFrom: (p) => parents.get(p),
    });
    const put = async (p: Profile) => {
      writes.put('v', p);
      await writes.settle('v');
    };
    const first = fold(emptyProfile(T0), 'e1');
    await put(first);
    const stored = last!;
    expect(stored).not.toBe(first);
    // What the store returned, folded twice before the next write: named as `over`.
    const a = fold(stored, 'e2');
    parents.set(a, stored);
    const b = fold(a, 'e3');
    parents.set(b, a);
    await put(b);
    // Folded from `first`, which the store never returned: merged as usual.
    const c = fold(first, 'e4');
    parents.set(c, first);
    await put(c);
    expect(overs).toEqual([undefined, stored, undefined]);
    expect(overs[1]).toBe(stored);
  });

  it('merges on SQLite when the row changed since the result named as `over`', async () => {
    const { profiles, close } = await createSqliteStore({ path: ':memory:' });
    try {
      const first = await profiles.merge('v', fold(emptyProfile(T0), 'e1'));
      const mine = fold(first, 'e2');
      // Unchanged row: the folded profile is stored as it is.
      expect(await profiles.merge('v', mine, { over: first })).toBe(mine);
      // Another writer (a delta from another node) changes the row; a fold of the older result merges.
      const other = await profiles.merge('v', fold(emptyProfile(T0), 'x1'));
      const stale = fold(mine, 'e3');
      const merged = await profiles.merge('v', stale, { over: mine });
      expect(merged).not.toBe(stale);
      expect(merged.seen).toHaveLength(4);
      expect(canonical(merged)).toBe(canonical(mergeProfiles(other, stale)));
      expect(canonical(await profiles.get('v'))).toBe(canonical(merged));
    } finally {
      await close();
    }
  });
});
