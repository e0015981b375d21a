/**
 * Hybrid logical clock: physical milliseconds plus a logical counter, with
 * the node id as the final tie breaker. Last-writer-wins registers and the
 * recent-items list order by it, so two nodes with skewed clocks still agree
 * on one total order.
 * @module
 */
import type { Hlc } from './types.js';

/** Total order on HLC timestamps: physical time, then logical counter, then node id. */
export function compareHlc(a: Hlc, b: Hlc): number {
  if (a.p !== b.p) return a.p < b.p ? -1 : 1;
  if (a.l !== b.l) return a.l < b.l ? -1 : 1;
  return a.n < b.n ? -1 : a.n > b.n ? 1 : 0;
}

/** A remote clock this far ahead of ours is ignored, so one bad peer cannot drag every register forward. */
export const HLC_MAX_DRIFT_MS = 60_000;

/** One node's clock. `now()` is strictly increasing; `observe()` keeps it ahead of what it has seen. */
export class HlcClock {
  private p = 0;
  private l = 0;

  constructor(
    readonly node: string,
    private readonly clock: { now(): number },
    private readonly maxDriftMs: number = HLC_MAX_DRIFT_MS,
  ) {}

  now(): Hlc {
    const wall = Math.floor(this.clock.now());
    if (wall > this.p) {
      this.p = wall;
      this.l = 0;
    } else {
      this.l += 1;
    }
    return { p: this.p, l: this.l, n: this.node };
  }

  /** Fold in a timestamp received from another node (the HLC receive rule). */
  observe(remote: Hlc): void {
    const wall = Math.floor(this.clock.now());
    if (!Number.isFinite(remote.p) || !Number.isFinite(remote.l)) return;
    if (remote.p > wall + this.maxDriftMs) return;
    const p = Math.max(this.p, remote.p, wall);
    if (p === this.p && p === remote.p) this.l = Math.max(this.l, remote.l) + 1;
    else if (p === this.p) this.l += 1;
    else if (p === remote.p) this.l = remote.l + 1;
    else this.l = 0;
    this.p = p;
  }
}
