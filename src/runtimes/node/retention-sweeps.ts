/**
 * Retention on a Node app: profiles and events older than `retentionDays`
 * deleted once a day (and on demand, `NodeApp.sweep`). The stores that expire
 * data themselves (Redis TTL, JetStream max age) get the same limit when they
 * are opened; this timer is for SQLite and memory.
 * @module
 */
import type { EventLog, Logger, ProfileStore } from '../../core/ports.js';
import { retentionCutoff, type SweepResult, sweepRetention } from '../../core/privacy/index.js';

export interface RetentionSweeps {
  /** Delete what is past retention now. */
  sweep(): Promise<SweepResult>;
  stop(): void;
}

export function startRetentionSweeps(o: {
  profiles: ProfileStore;
  events: EventLog;
  retentionDays: number | undefined;
  logger: Logger;
}): RetentionSweeps {
  const sweep = () => sweepRetention(o.profiles, o.events, retentionCutoff(Date.now(), o.retentionDays));
  const sweeper = setInterval(() => {
    void sweep()
      .then((r) => o.logger.info(`[tessera] retention: ${r.profiles} profiles, ${r.events} events deleted`))
      .catch((e) => o.logger.warn('[tessera] retention sweep failed', { error: String(e) }));
  }, 86_400_000);
  sweeper.unref();
  return { sweep, stop: () => clearInterval(sweeper) };
}
