/**
 * A fixed concurrency schedule. `lanes` shoppers are in the shop at once;
 * lane j takes visitors j, j + lanes, j + 2·lanes, … in turn. Their requests
 * reach the server one at a time, lane after lane (round robin), each at the
 * next tick of the clock, and the next one waits until the server's
 * background work has settled.
 *
 * Why not real concurrency: then network timing decides which of two
 * purchases the server counts first, hence the sequential test's running
 * minimum p-value and whether (and when) it auto-promotes. Here only the
 * seed decides, and a seeded run is the same every time.
 * @module
 */
import type { SimClock } from './clock.js';

/** Runs one HTTP exchange in the lane's next slot; `now` is the time the request happens at. */
export type Turn = <T>(request: (now: number) => Promise<T>) => Promise<T>;

type Slot = { run(now: number): Promise<void> } | { done: true } | { error: unknown };

/** One shopper's stream of requests: at most one waiting at a time. */
class Lane {
  private waiting: Slot | undefined;
  private wake: ((s: Slot) => void) | undefined;

  post(slot: Slot): void {
    if (this.wake) {
      const wake = this.wake;
      this.wake = undefined;
      wake(slot);
    } else this.waiting = slot;
  }

  next(): Promise<Slot> {
    const slot = this.waiting;
    if (slot) {
      this.waiting = undefined;
      return Promise.resolve(slot);
    }
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  readonly turn: Turn = (request) =>
    new Promise((resolve, reject) => this.post({ run: (now) => request(now).then(resolve, reject) }));
}

export interface ScheduleOptions {
  lanes: number;
  /** Visitor indices [from, to). */
  from: number;
  to: number;
  clock: SimClock;
  /** Resolves when the server has finished what the last request started. */
  settle?: () => Promise<void>;
  shopper(index: number, turn: Turn): Promise<void>;
}

export async function runSchedule(o: ScheduleOptions): Promise<void> {
  const lanes = Array.from({ length: Math.max(1, Math.min(o.lanes, o.to - o.from)) }, () => new Lane());
  lanes.forEach((lane, j) => {
    void (async () => {
      for (let i = o.from + j; i < o.to; i += lanes.length) await o.shopper(i, lane.turn);
    })().then(
      () => lane.post({ done: true }),
      (error: unknown) => lane.post({ error }),
    );
  });
  let active = lanes;
  while (active.length > 0) {
    const still: Lane[] = [];
    for (const lane of active) {
      const slot = await lane.next();
      if ('error' in slot) throw slot.error;
      if ('done' in slot) continue;
      await slot.run(o.clock.tick());
      await o.settle?.();
      still.push(lane);
    }
    active = still;
  }
}
