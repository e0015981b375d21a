import { describe, expect, it } from 'vitest';
import type { EventLog } from './ports.js';
import { readAllEvents } from './read-log.js';
import type { LoggedEvent } from './types.js';

const event = (n: number, visitor = 'v'): LoggedEvent => ({
  id: `e${n}`,
  type: 'view',
  ts: n,
  visitor,
  node: 'n',
  received: n,
});

/** A log over `events` whose cursor is the 1-based position; counts its reads. */
function arrayLog(events: LoggedEvent[]) {
  const calls: Array<[number, number]> = [];
  const log: Pick<EventLog, 'read'> = {
    async read(after, limit) {
      calls.push([after, limit]);
      const page = events.slice(after, after + limit);
      return { events: page, cursor: after + page.length };
    },
  };
  return { log, calls };
}

async function all(it: AsyncIterable<LoggedEvent>): Promise<string[]> {
  const ids: string[] = [];
  for await (const e of it) ids.push(e.id);
  return ids;
}

describe('readAllEvents', () => {
  it('reads every event in order, one page at a time', async () => {
    const { log, calls } = arrayLog([1, 2, 3, 4, 5].map((n) => event(n)));
    expect(await all(readAllEvents(log, { pageSize: 2 }))).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
    expect(calls).toEqual([
      [0, 2],
      [2, 2],
      [4, 2],
      [5, 2],
    ]);
  });

  it('starts after the given cursor and yields only what the filter accepts', async () => {
    const { log } = arrayLog([event(1, 'a'), event(2, 'b'), event(3, 'a'), event(4, 'a')]);
    const got = await all(readAllEvents(log, { after: 1, pageSize: 10, filter: (e) => e.visitor === 'a' }));
    expect(got).toEqual(['e3', 'e4']);
  });

  it('stops when a driver returns events without moving its cursor', async () => {
    let reads = 0;
    const stuck: Pick<EventLog, 'read'> = {
      async read(after) {
        reads++;
        return { events: [event(1)], cursor: after };
      },
    };
    expect(await all(readAllEvents(stuck))).toEqual(['e1']);
    expect(reads).toBe(1);
  });

  it('yields nothing from an empty log', async () => {
    expect(await all(readAllEvents(arrayLog([]).log))).toEqual([]);
  });
});
