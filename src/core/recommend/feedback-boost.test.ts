import { describe, expect, it } from 'vitest';
import { applyEvent, emptyProfile } from '../profile/index.js';
import type { Profile, TesseraEvent } from '../types.js';
import { feedbackBoost, likedItems } from './feedback-boost.js';

const HALF = 3 * 24 * 3600_000;
const attrs = (id: string) => ({ category: id.startsWith('r') ? 'running' : 'yoga', brand: 'b', tags: [] });

function apply(events: TesseraEvent[]): Profile {
  let p = emptyProfile(1000);
  let l = 0;
  for (const e of events)
    p = applyEvent(p, e, { node: 'n', at: { p: 1000, l: l++, n: 'n' }, halfLifeMs: HALF, item: attrs });
  return p;
}

describe('thumbs-up boost', () => {
  it('reads a thumbs up as a liked item, but not a plain view', () => {
    const p = apply([
      { id: '1', type: 'feedback', ts: 1000, item: 'r-1', props: { kind: 'thumbs', value: 'up' } },
      { id: '2', type: 'view', ts: 1000, item: 'y-1' },
    ]);
    expect([...likedItems(p, 1000, HALF).keys()]).toEqual(['r-1']);
  });

  it('boosts the liked item and its category above an unrelated one', () => {
    const p = apply([
      { id: '1', type: 'feedback', ts: 1000, item: 'r-1', props: { kind: 'thumbs', value: 'up' } },
    ]);
    const liked = feedbackBoost(p, 'r-1', 'running', 1000, HALF);
    const sameCategory = feedbackBoost(p, 'r-2', 'running', 1000, HALF);
    const other = feedbackBoost(p, 'y-2', 'yoga', 1000, HALF);
    expect(liked).toBeGreaterThan(sameCategory);
    expect(sameCategory).toBeGreaterThan(other);
    expect(other).toBe(1);
    expect(feedbackBoost(undefined, 'r-1', 'running', 1000, HALF)).toBe(1);
  });
});
