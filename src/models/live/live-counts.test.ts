import { describe, expect, it } from 'vitest';
import type { LoggedEvent } from '../../core/types.js';
import { LiveCounts } from './live-counts.js';

const T0 = Date.UTC(2025, 0, 6, 8);
let seq = 0;
function view(visitor: string, item: string, ts: number): LoggedEvent {
  return { id: `e${seq++}`, type: 'view', item, ts, visitor, node: 'n1', received: ts };
}

describe('LiveCounts rows', () => {
  it('stay bounded however many neighbours an item meets, keeping the strongest', () => {
    const counts = new LiveCounts(86_400_000);
    // Item `hub` is viewed after every one of 500 items; `p0`..`p9` are seen beside it ten times more.
    let t = T0;
    for (let i = 0; i < 500; i++) {
      counts.add(view(`v${i}`, `i${i}`, t++));
      counts.add(view(`v${i}`, 'hub', t++));
    }
    for (let r = 0; r < 10; r++)
      for (let i = 0; i < 10; i++) {
        counts.add(view(`w${r}-${i}`, `p${i}`, t++));
        counts.add(view(`w${r}-${i}`, 'hub', t++));
      }
    for (let i = 500; i < 530; i++) {
      counts.add(view(`x${i}`, `i${i}`, t++));
      counts.add(view(`x${i}`, 'hub', t++));
    }
    const row = counts.together.get('hub')!;
    expect(row.size).toBeGreaterThanOrEqual(64);
    expect(row.size).toBeLessThanOrEqual(97);
    for (let i = 0; i < 10; i++) expect(row.has(`p${i}`)).toBe(true);
    // The neighbour met last is in, whatever its weight.
    expect(row.has('i529')).toBe(true);
  });

  it('keep a session as its last ten distinct items, the repeated one moved to the end', () => {
    const counts = new LiveCounts(86_400_000);
    let t = T0;
    for (let i = 0; i < 12; i++) counts.add(view('v', `i${i}`, t++));
    counts.add(view('v', 'i5', t++));
    counts.add(view('v', 'z', t++));
    // The session held i2..i11 with i5 moved last: z co-occurs with those ten, and follows i5.
    const expected = ['i2', 'i3', 'i4', 'i5', 'i6', 'i7', 'i8', 'i9', 'i10', 'i11'];
    expect([...counts.together.get('z')!.keys()].sort()).toEqual(expected.sort());
    expect([...counts.next.get('i5')!.keys()]).toEqual(['i6', 'z']);
  });
});

describe('LiveCounts across a retrain', () => {
  it('start over on clear, but a session still open links its items to the next ones', () => {
    const counts = new LiveCounts(86_400_000);
    let t = T0;
    counts.add(view('v', 'a', t++));
    counts.add(view('v', 'b', t++));
    counts.clear();
    expect(counts.popularity.size).toBe(0);
    expect(counts.together.size).toBe(0);
    counts.addAll([view('v', 'c', t++), view('w', 'a', t++)]);
    expect([...counts.together.get('c')!.keys()].sort()).toEqual(['a', 'b']);
    expect([...counts.next.get('b')!.keys()]).toEqual(['c']);
    expect(counts.together.get('a')!.get('c')).toBeGreaterThan(0);
    expect(counts.events).toBe(2);
  });
});
