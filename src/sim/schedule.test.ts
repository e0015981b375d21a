import { describe, expect, it } from 'vitest';
import { virtualClock } from './clock.js';
import { runSchedule } from './schedule.js';

/** Shoppers whose requests take random real time: the order the server sees must not depend on it. */
async function trace(lanes: number): Promise<string[]> {
  const seen: string[] = [];
  await runSchedule({
    lanes,
    from: 0,
    to: 5,
    clock: virtualClock(0, 10),
    shopper: async (i, turn) => {
      for (let step = 0; step < 1 + (i % 3); step++)
        await turn(async (now) => {
          await new Promise((r) => setTimeout(r, Math.random() * 5));
          seen.push(`${now}:v${i}.${step}`);
        });
    },
  });
  return seen;
}

describe('the simulation schedule', () => {
  it('serves requests one at a time, round robin over the lanes, whatever the response times', async () => {
    // Lane 0 takes v0, v2, v4 and lane 1 v1, v3; visitor i makes 1 + i % 3 requests.
    const first = await trace(2);
    expect(first).toEqual([
      '10:v0.0',
      '20:v1.0',
      '30:v2.0',
      '40:v1.1',
      '50:v2.1',
      '60:v3.0',
      '70:v2.2',
      '80:v4.0',
      '90:v4.1',
    ]);
    expect(await trace(2)).toEqual(first);
  });

  it('hands a shopper’s failure to the caller', async () => {
    await expect(
      runSchedule({
        lanes: 3,
        from: 0,
        to: 3,
        clock: virtualClock(0, 1),
        shopper: async (i, turn) => {
          await turn(async () => {
            if (i === 1) throw new Error('boom');
          });
        },
      }),
    ).rejects.toThrow('boom');
  });
});
