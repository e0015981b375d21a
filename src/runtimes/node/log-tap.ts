/**
 * The event log with a listener on what it takes: live updates and the
 * rollout's click credits (model-lifecycle.ts) count every event the log
 * found new, once. The tap sits on the log itself, under the spool's
 * wrapper (shared-state.ts): an event spooled while the log was down is
 * heard when replay hands it to the log, not when it was spooled, and only
 * if the log did not have it already (a beacon retried during the cut, or
 * a batch the log took before it), since the log deduplicates by visitor
 * and event id and returns only what was new.
 *
 * Replay starts with the node, before the lifecycle listens (a node killed
 * with entries spooled): what the log takes until then is kept, the newest
 * `EARLY_KEPT` events, and handed to the listener when it is set.
 * @module
 */
import type { EventLog } from '../../core/ports.js';
import type { LoggedEvent } from '../../core/types.js';

/** Events kept for a listener not set yet (live counts fade: the newest matter most). */
export const EARLY_KEPT = 10_000;

export interface LogTap {
  /** The log to write through: appends (direct or replayed) reach the listener. */
  readonly log: EventLog;
  /** Sets the listener (the lifecycle starts after the engine that writes the log). */
  listen(listener: (fresh: LoggedEvent[]) => void): void;
}

export function tapEventLog(log: EventLog): LogTap {
  let listener: ((e: LoggedEvent[]) => void) | undefined;
  let early: LoggedEvent[] = [];
  const tapped: EventLog = {
    name: log.name,
    async append(events) {
      const fresh = await log.append(events);
      if (fresh.length === 0) return fresh;
      if (listener) listener(fresh);
      else {
        early.push(...fresh);
        if (early.length > EARLY_KEPT) early = early.slice(-EARLY_KEPT);
      }
      return fresh;
    },
    read: (after, limit) => log.read(after, limit),
    deleteVisitor: (visitor) => log.deleteVisitor(visitor),
    count: () => log.count(),
    close: () => log.close(),
  };
  if (log.sweep) tapped.sweep = (before) => log.sweep!(before);
  return {
    log: tapped,
    listen(l) {
      listener = l;
      const heard = early;
      early = [];
      if (heard.length > 0) l(heard);
    },
  };
}
