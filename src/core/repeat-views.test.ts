import { describe, expect, it } from 'vitest';
import { emptyProfile } from './profile/index.js';
import { dropRepeatViews } from './repeat-views.js';
import type { Profile, TesseraEvent } from './types.js';

const T = 1_780_000_000_000;
const view = (id: string, item: string, ts: number): TesseraEvent => ({ id, type: 'view', ts, item });

describe('repeat views', () => {
  it('drops a view of an item the profile saw viewed moments ago', () => {
    const p: Profile = {
      ...emptyProfile(T),
      recent: [{ item: 'a', type: 'view', at: { p: T, l: 0, n: 'n' } }],
    };
    const out = dropRepeatViews(p, [
      view('1', 'a', T + 2000),
      view('2', 'b', T + 2000),
      view('3', 'a', T + 60_000),
    ]);
    expect(out.map((e) => e.id)).toEqual(['2', '3']);
  });

  it('collapses repeats inside one batch and keeps other event types', () => {
    const out = dropRepeatViews(undefined, [
      view('1', 'a', T),
      view('2', 'a', T + 10),
      { id: '3', type: 'click', ts: T + 20, item: 'a' },
    ]);
    expect(out.map((e) => e.id)).toEqual(['1', '3']);
  });
});
