/**
 * Replays one target of the spool, oldest entry first, whenever its
 * dependency says it is back (`onStatus` → `ready`), at start (a node killed
 * with entries pending), and on a slow timer while entries wait (a dependency
 * that fails without ever changing its status, e.g. timeouts).
 *
 * An entry leaves the spool only once it was applied. A "dependency down"
 * failure stops the pass and keeps the entry first in line, so order holds.
 * Any other failure is counted; after `maxAttempts` the entry is dropped with
 * an error in the log, so one poisoned entry cannot block the rest forever.
 * @module
 */

import { type ConnectionState, isDependencyDown } from '../connections/status.js';
import type { Logger } from '../core/ports.js';
import type { Spool, SpoolEntry, SpoolTarget } from './spool.js';

export interface ReplayOptions {
  spool: Spool;
  target: SpoolTarget;
  /** Hands one entry to the dependency; throws when it could not. */
  apply(entry: SpoolEntry): Promise<void>;
  /** The dependency's state; its return to `ready` starts a pass. */
  state?: ConnectionState;
  logger: Logger;
  /** How often to look for pending entries without a status change (default 1000 ms; 0 = never). */
  retryMs?: number;
  maxAttempts?: number;
  /** Entries read per batch from the spool (default 100). */
  batch?: number;
}

export interface Replayer {
  /** One pass now (joins the running one); resolves to the entries replayed. */
  drain(): Promise<number>;
  stop(): void;
}

export function startReplay(o: ReplayOptions): Replayer {
  const maxAttempts = o.maxAttempts ?? 5;
  const batch = o.batch ?? 100;
  let running: Promise<number> | undefined;
  let again = false;
  let stopped = false;

  const pass = async (): Promise<number> => {
    let done = 0;
    while (!stopped) {
      const entries = o.spool.peek(o.target, batch);
      if (entries.length === 0) return done;
      for (const entry of entries) {
        try {
          await o.apply(entry);
        } catch (e) {
          if (isDependencyDown(e)) return done;
          o.spool.failed(entry.seq);
          if (entry.attempts + 1 < maxAttempts) {
            o.logger.warn(`[tessera] [spool] replay of ${o.target} ${entry.kind} failed, will retry`, {
              error: String(e),
            });
            return done;
          }
          o.logger.error(
            `[tessera] [spool] dropped ${o.target} ${entry.kind} after ${maxAttempts} failures`,
            {
              visitor: entry.visitor,
              error: String(e),
            },
          );
        }
        if (stopped) return done;
        o.spool.remove(entry.seq);
        done++;
      }
    }
    return done;
  };

  const drain = (): Promise<number> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let total = 0;
      do {
        again = false;
        total += await pass();
      } while (again && !stopped);
      return total;
    })().finally(() => {
      running = undefined;
    });
    return running;
  };

  const kick = () => {
    if (stopped || o.spool.pending(o.target) === 0) return;
    drain().catch((e) => o.logger.error('[tessera] [spool] replay failed', { error: String(e) }));
  };
  const off = o.state?.onStatus((s) => {
    if (s === 'ready') kick();
  });
  const retryMs = o.retryMs ?? 1000;
  const timer = retryMs > 0 ? setInterval(kick, retryMs) : undefined;
  timer?.unref();
  kick();

  return {
    drain,
    stop() {
      stopped = true;
      off?.();
      if (timer) clearInterval(timer);
    },
  };
}
