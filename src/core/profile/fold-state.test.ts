import { describe, expect, it } from 'vitest';
import { referenceApplyEvent } from '../../../test/helpers/reference-apply.js';
import type { Profile } from '../types.js';
import { applyEvent } from './apply.js';
import { emptyProfile } from './empty.js';
import { seenEntryText } from './fold-seen.js';
import { hex8 } from './hash.js';
import { base36 } from './seen.js';
import { event, opts, T0 } from './test-helpers.js';

describe('the fold state behind applied profiles', () => {
  it('writes seen times exactly as toString(36) does, around every split point', () => {
    const B5 = 36 ** 5;
    const max = 8.64e15;
    for (const k of [0, 1, 2, 35, 36, 1000, Math.floor(max / B5) - 1, Math.floor(max / B5)]) {
      for (const d of [-2, -1, 0, 1, 2]) {
        const t = k * B5 + d;
        if (t >= 0 && t <= max) expect(base36(t)).toBe(t.toString(36));
      }
    }
    expect(base36(T0)).toBe(T0.toString(36));
  });

  it('writes seen entries as base36(time), a dot and hex8(hash), around every split point', () => {
    const B4 = 36 ** 4;
    const B5 = 36 ** 5;
    const max = 8.64e15;
    const hashes = [0, 1, 0xf, 0x10, 0x7fffffff, 0x80000000, 0xdeadbeef, 0xffffffff];
    const times = [0, 1, 35, 36, B4 - 1, B4, B5 - 1, B5, B5 + 1, T0, T0 + 1, max];
    for (const k of [1, 2, 35, 36, 1000, 28_000, Math.floor(max / B5) - 1, Math.floor(max / B5)])
      for (const d of [-B4 - 1, -B4, -1296, -36, -2, -1, 0, 1, 2, 36, 1296, B4, B4 + 1])
        times.push(k * B5 + d);
    for (const t of times) {
      if (t < 0 || t > max) continue;
      for (const h of hashes) expect(seenEntryText(t, h)).toBe(`${t.toString(36)}.${hex8(h)}`);
    }
  });

  it('gives the reference result when many visitors interleave, more than it keeps states for', () => {
    const visitors = 150;
    const fast: Profile[] = Array.from({ length: visitors }, () => emptyProfile(T0));
    const slow: Profile[] = [...fast];
    for (let round = 0; round < 6; round++) {
      for (let v = 0; v < visitors; v++) {
        const e = event('view', `v${v}r${round}`, T0 + round, 'abcd'[(v + round) % 4]!);
        const o = opts(v % 2 ? 'n1' : 'n2', T0 + round * 1000);
        fast[v] = applyEvent(fast[v]!, e, o);
        slow[v] = referenceApplyEvent(slow[v]!, e, o);
      }
    }
    for (let v = 0; v < visitors; v++) expect(JSON.stringify(fast[v])).toBe(JSON.stringify(slow[v]));
  });

  it('reuses the arrays of states it let go of without touching the profiles they made', () => {
    // Rich profiles (several nodes, more seen entries than the list keeps), then many new
    // visitors: the rich ones' states fall out of the ring and new visitors' states reuse them.
    const rich: Profile[] = [];
    const texts: string[] = [];
    for (let v = 0; v < 8; v++) {
      let p = emptyProfile(T0);
      for (let k = 0; k < 40; k++)
        p = applyEvent(p, event('click', `rich${v}-${k}`, T0 + k, 'abcd'[k % 4]!), opts(`n${k % 3}`, T0 + k));
      rich.push(p);
      texts.push(JSON.stringify(p));
    }
    for (let v = 0; v < 200; v++) {
      const e = event('view', `new${v}`, T0, 'abcd'[v % 4]!);
      const fresh = applyEvent(emptyProfile(T0), e, opts('n1', T0));
      expect(JSON.stringify(fresh)).toBe(
        JSON.stringify(referenceApplyEvent(emptyProfile(T0), e, opts('n1', T0))),
      );
    }
    expect(rich.map((p) => JSON.stringify(p))).toEqual(texts);
    // A rich profile folded on after its state was reused starts from its own content.
    const e = event('purchase', 'later', T0 + 100, 'b');
    expect(JSON.stringify(applyEvent(rich[0]!, e, opts('n1', T0 + 100)))).toBe(
      JSON.stringify(referenceApplyEvent(rich[0]!, e, opts('n1', T0 + 100))),
    );
  });

  it('leaves an earlier version as it was when the next one carries on from it', () => {
    const first = applyEvent(emptyProfile(T0), event('view', 'e1', T0, 'a'), opts('n1', T0));
    const before = JSON.stringify(first);
    const second = applyEvent(first, event('purchase', 'e2', T0, 'b'), opts('n1', T0 + 1));
    expect(JSON.stringify(first)).toBe(before);
    // Branching from the earlier version again gives its own result, not the later one's.
    const branch = applyEvent(first, event('click', 'e3', T0, 'c'), opts('n1', T0 + 2));
    expect(JSON.stringify(branch)).toBe(
      JSON.stringify(referenceApplyEvent(first, event('click', 'e3', T0, 'c'), opts('n1', T0 + 2))),
    );
    expect(branch.seen).not.toContain(second.seen[0]);
  });

  it('orders event ids of one clock time as the reference does, by their hash text', () => {
    let fast = emptyProfile(T0);
    let slow = fast;
    for (let k = 0; k < 40; k++) {
      const e = event('view', `same-time-${k}`, T0, 'abcd'[k % 4]!);
      fast = applyEvent(fast, e, opts('n1', T0));
      slow = referenceApplyEvent(slow, e, opts('n1', T0));
    }
    expect(fast.seen).toEqual(slow.seen);
    expect(JSON.stringify(fast)).toBe(JSON.stringify(slow));
  });

  it('keeps the seen list in the reference order over many events at mixed clock times (the window moving back)', () => {
    let fast = emptyProfile(T0);
    let slow = fast;
    let s = 7;
    for (let k = 0; k < 300; k++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      // Mostly newer each time, some older, some repeated times, some far older (dropped at once).
      const back = s % 5 === 0 ? (s >>> 8) % 40_000 : s % 7 === 0 ? 10_000_000 : 0;
      const e = event('view', `mixed-${k}`, T0, 'abcd'[k % 4]!);
      const o = opts('n1', T0 + k * 1000 - back);
      fast = applyEvent(fast, e, o);
      slow = referenceApplyEvent(slow, e, o);
      expect(fast.seen).toEqual(slow.seen);
    }
    expect(JSON.stringify(fast)).toBe(JSON.stringify(slow));
  });

  it('keeps an adopted seen list spelled another way (a leading zero) in the reference order', () => {
    const t = base36(T0);
    // Same time as T0, spelled with a leading zero: its text sorts before every canonical entry of T0.
    const adopted: Profile = { ...emptyProfile(T0), seen: [`0${t}.ffffffff`, `${t}.00000001`] };
    let fast = adopted;
    let slow = adopted;
    for (let k = 0; k < 6; k++) {
      const e = event('view', `odd-${k}`, T0, 'ab'[k % 2]!);
      fast = applyEvent(fast, e, opts('n1', T0));
      slow = referenceApplyEvent(slow, e, opts('n1', T0));
    }
    expect(fast.seen).toEqual(slow.seen);
    expect(fast.seen[0]).toBe(`0${t}.ffffffff`);
  });
});
