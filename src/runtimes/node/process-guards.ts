/**
 * The last line of defence of a serving node (`tessera dev`, `tessera
 * serve`): an error that escaped every handler (a rejected promise nobody
 * awaited, a throw in a timer or an event listener) is logged and the node
 * keeps serving. Node's default is to exit, which turns one bad request
 * into an outage for everyone. Each request is still guarded where it is
 * answered (server.ts); this only catches what slips past.
 * @module
 */
import type { Logger } from '../../core/ports.js';

/** Installs the handlers on `proc`; returns a function that removes them. */
export function guardProcess(logger: Logger, proc: NodeJS.EventEmitter = process): () => void {
  const onRejection = (reason: unknown) =>
    logger.error('[tessera] [node] unhandled rejection, still serving', describe(reason));
  const onException = (e: unknown) =>
    logger.error('[tessera] [node] uncaught exception, still serving', describe(e));
  proc.on('unhandledRejection', onRejection);
  proc.on('uncaughtException', onException);
  return () => {
    proc.off('unhandledRejection', onRejection);
    proc.off('uncaughtException', onException);
  };
}

function describe(e: unknown): Record<string, unknown> {
  return { error: String(e), stack: e instanceof Error ? e.stack : undefined };
}
