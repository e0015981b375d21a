/**
 * The per-visitor daily quota of logged events: a client that sends events as
 * fast as the rate limit allows must not grow one visitor's event log (and
 * their `/privacy/me` export) without bound. Counted per node and per UTC
 * day, in memory: a bound on growth, not a billing meter, so a restart or a
 * second node may let a visitor log one more quota's worth that day.
 * @module
 */
import { LruCache } from '../cache/index.js';

const DAY_MS = 86_400_000;

export class DailyEventQuota {
  private readonly used: LruCache<string, { day: number; n: number }>;

  constructor(
    readonly perDay: number,
    maxVisitors = 100_000,
  ) {
    this.used = new LruCache({ maxEntries: maxVisitors });
  }

  /** Reserve up to `wanted` events for the visitor today; returns how many may be logged. */
  take(visitor: string, wanted: number, now: number): number {
    const day = Math.floor(now / DAY_MS);
    const prev = this.used.get(visitor);
    const n = prev?.day === day ? prev.n : 0;
    const granted = Math.max(0, Math.min(wanted, this.perDay - n));
    this.used.set(visitor, { day, n: n + granted });
    return granted;
  }

  /** Give back what was reserved and not logged (events the log already had). */
  refund(visitor: string, count: number, now: number): void {
    const prev = this.used.get(visitor);
    if (count <= 0 || prev?.day !== Math.floor(now / DAY_MS)) return;
    this.used.set(visitor, { day: prev.day, n: Math.max(0, prev.n - count) });
  }

  /** After an erasure: nothing about the visitor stays, not even a count. */
  forget(visitor: string): void {
    this.used.delete(visitor);
  }
}
