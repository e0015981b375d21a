/**
 * Simulated time. With a server of its own, a run keeps the server's clock
 * and the shoppers' event timestamps on one virtual clock that moves a fixed
 * step per request, so what time it is (recency, decay, exposure and event
 * timestamps, shell expiry) depends on the schedule, never on how fast this
 * machine is. A run against `--url` keeps wall time: that server has its own
 * clock and rejects events from the past.
 * @module
 */

export interface SimClock {
  now(): number;
  /** Move on to the next request; returns the time it happens at. */
  tick(): number;
}

/** Monday 6 January 2025, 08:00 UTC: an ordinary shopping day. */
export const SIM_EPOCH = Date.UTC(2025, 0, 6, 8);
/** Virtual time between two requests: 5,000 visitors (~50,000 requests) span about 14 hours. */
export const SIM_STEP_MS = 1000;

export function virtualClock(start = SIM_EPOCH, stepMs = SIM_STEP_MS): SimClock {
  let t = start;
  return {
    now: () => t,
    tick: () => {
      t += stepMs;
      return t;
    },
  };
}

export const wallClock: SimClock = { now: () => Date.now(), tick: () => Date.now() };
