import { describe, expect, it } from 'vitest';
import type { EventType, LoggedEvent } from '../core/types.js';
import { sessionsFromEvents } from './sessions.js';

const MIN = 60_000;
let seq = 0;
const ev = (visitor: string, type: EventType, item: string | undefined, ts: number): LoggedEvent => ({
  id: `e${seq++}`,
  type,
  ts,
  visitor,
  node: 'node-1',
  received: ts,
  ...(item === undefined ? {} : { item }),
});

describe('sessionsFromEvents', () => {
  it('splits one visitor on inactivity gaps longer than the limit', () => {
    const s = sessionsFromEvents([
      ev('v', 'view', 'a', 0),
      ev('v', 'view', 'b', 10 * MIN),
      ev('v', 'view', 'c', 41 * MIN), // 31 minutes later
      ev('v', 'view', 'd', 71 * MIN), // exactly 30 minutes: same session
    ]);
    expect(s).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });

  it('honours a custom gap', () => {
    const s = sessionsFromEvents([ev('v', 'view', 'a', 0), ev('v', 'view', 'b', 2 * MIN)], MIN);
    expect(s).toEqual([['a'], ['b']]);
  });

  it('keeps visitors apart and orders each by time', () => {
    const s = sessionsFromEvents([
      ev('v1', 'view', 'b', 5 * MIN),
      ev('v2', 'view', 'x', 0),
      ev('v1', 'view', 'a', 1 * MIN),
    ]);
    expect(s).toEqual([['a', 'b'], ['x']]);
  });

  it('uses item events only and collapses immediate repeats', () => {
    const s = sessionsFromEvents([
      ev('v', 'page', undefined, 0),
      ev('v', 'view', 'a', 1),
      ev('v', 'click', 'a', 2),
      ev('v', 'feedback', 'z', 3),
      ev('v', 'search', undefined, 4),
      ev('v', 'add_to_cart', 'b', 5),
      ev('v', 'view', 'a', 6),
    ]);
    expect(s).toEqual([['a', 'b', 'a']]);
  });
});
