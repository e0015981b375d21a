/**
 * The suite every ledger-store driver passes (memory, SQLite, Redis): marks
 * count once, conversions only for exposed visitors and on their arm, each
 * node raises its own component, merge keeps the larger value, statuses are
 * last-writer-wins by HLC, and a second handle on the same backend (a
 * restarted node) loads what the first stored.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { counterKey, type LedgerState } from '../../src/core/experiments/ledger-state.js';
import type { LedgerHit, LedgerStore } from '../../src/core/experiments/ledger-store.js';

export interface LedgerHarness {
  store: LedgerStore;
  /** Another handle on the same backend, as a restarted process would open it. */
  reopen(): Promise<LedgerStore>;
  cleanup(): Promise<void>;
}

const exposed = (visitor: string, arm: string, experiment = 'x', segment = '*'): LedgerHit => ({
  experiment,
  visitor,
  counter: 'exposed',
  mark: 'x',
  amount: 1,
  arm,
  segment,
});
const purchase = (visitor: string, id: string, value: number): LedgerHit[] => [
  { experiment: 'x', visitor, counter: 'converted', mark: 'converted', amount: 1 },
  { experiment: 'x', visitor, counter: 'revenue', mark: `r:${id}`, amount: value },
];
const key = (arm: string, counter: Parameters<typeof counterKey>[0]['counter'], segment = '*') =>
  counterKey({ experiment: 'x', arm, segment, counter });

export function testLedgerStore(name: string, make: () => Promise<LedgerHarness>): void {
  describe(`ledger store conformance: ${name}`, () => {
    let h: LedgerHarness | undefined;
    const open = async () => {
      h = await make();
      return h;
    };
    afterEach(async () => {
      await h?.cleanup();
      h = undefined;
    });

    it('counts an exposure once per visitor and experiment, and returns the node’s new value', async () => {
      const { store } = await open();
      expect(await store.count('n1', [exposed('v1', 'a'), exposed('v2', 'a')])).toEqual([
        { index: 0, arm: 'a', segment: '*', value: 1 },
        { index: 1, arm: 'a', segment: '*', value: 2 },
      ]);
      expect(await store.count('n1', [exposed('v1', 'b'), exposed('v1', 'a', 'y')])).toEqual([
        { index: 1, arm: 'a', segment: '*', value: 1 },
      ]);
      const s = await store.load();
      expect(s.counters[key('a', 'exposed')]).toEqual({ n1: 2 });
      expect(s.counters[key('b', 'exposed')]).toBeUndefined();
    });

    it('attributes conversions to the exposure’s arm and segment, once per mark', async () => {
      const { store } = await open();
      await store.count('n1', [exposed('v1', 'b', 'x', 's1')]);
      const first = await store.count('n2', purchase('v1', 'p1', 12.5));
      expect(first).toEqual([
        { index: 0, arm: 'b', segment: 's1', value: 1 },
        { index: 1, arm: 'b', segment: 's1', value: 12.5 },
      ]);
      // The same batch again (a replay), then a second purchase: revenue only for the new id.
      expect(await store.count('n2', purchase('v1', 'p1', 12.5))).toEqual([]);
      expect(await store.count('n2', purchase('v1', 'p2', 1))).toEqual([
        { index: 1, arm: 'b', segment: 's1', value: 13.5 },
      ]);
      const s = await store.load();
      expect(s.counters[key('b', 'converted', 's1')]).toEqual({ n2: 1 });
      expect(s.counters[key('b', 'revenue', 's1')]).toEqual({ n2: 13.5 });
    });

    it('forgets an erased visitor’s marks in every experiment and keeps the counts', async () => {
      const { store } = await open();
      await store.count('n1', [exposed('v1', 'a'), exposed('v1', 'a', 'y'), exposed('v2', 'a')]);
      await store.count('n1', purchase('v1', 'p1', 3));
      await store.forget('v1');
      // Without its exposure mark, v1 converts nowhere any more; v2 keeps its own.
      expect(await store.count('n1', purchase('v1', 'p2', 1))).toEqual([]);
      expect((await store.count('n1', purchase('v2', 'p3', 1))).length).toBe(2);
      const s = await store.load();
      expect(s.counters[key('a', 'exposed')]).toEqual({ n1: 2 });
      expect(s.counters[key('a', 'revenue')]).toEqual({ n1: 4 });
    });

    it('counts nothing for a visitor never exposed', async () => {
      const { store } = await open();
      expect(await store.count('n1', purchase('ghost', 'p1', 5))).toEqual([]);
      expect((await store.load()).counters).toEqual({});
    });

    it('merges other nodes’ components by keeping the larger value', async () => {
      const { store } = await open();
      await store.count('n1', [exposed('v1', 'a')]);
      const theirs: LedgerState = { counters: { [key('a', 'exposed')]: { n1: 0, n2: 4 } }, status: {} };
      await store.merge(theirs);
      await store.merge({ counters: { [key('a', 'exposed')]: { n2: 3 } }, status: {} });
      expect((await store.load()).counters[key('a', 'exposed')]).toEqual({ n1: 1, n2: 4 });
    });

    it('keeps the later status register by HLC', async () => {
      const { store } = await open();
      const paused = { value: { status: 'paused' as const }, at: { p: 20, l: 0, n: 'n1' } };
      const older = { value: { status: 'running' as const }, at: { p: 10, l: 5, n: 'n2' } };
      const promoted = {
        value: { promoted: 'b', promotedBy: 'command' as const },
        at: { p: 20, l: 1, n: 'n2' },
      };
      await store.putStatus('x', paused);
      await store.putStatus('x', older);
      expect((await store.load()).status.x).toEqual(paused);
      await store.merge({ counters: {}, status: { x: promoted } });
      expect((await store.load()).status.x).toEqual(promoted);
    });

    it('gives a reopened handle everything the first one stored', async () => {
      const harness = await open();
      await harness.store.count('n1', [exposed('v1', 'a'), ...purchase('v1', 'p1', 3)]);
      await harness.store.putStatus('x', { value: { status: 'running' }, at: { p: 1, l: 0, n: 'n1' } });
      const before = await harness.store.load();
      const again = await harness.reopen();
      try {
        expect(await again.load()).toEqual(before);
        // Its marks came along too: the same exposure does not count twice.
        expect(await again.count('n1', [exposed('v1', 'a')])).toEqual([]);
      } finally {
        await again.close();
      }
    });
  });
}
