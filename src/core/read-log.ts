/**
 * The one paged read of an event log: every event after a cursor, in append
 * order, a page at a time, so a caller holds one page in memory, never the
 * whole log. The trainer, privacy export and erasure all read through it.
 * @module
 */
import type { EventLog } from './ports.js';
import type { LoggedEvent } from './types.js';

export interface ReadAllOptions {
  /** Start after this cursor (default 0: from the start). */
  after?: number;
  /** Events per `read` call (default 5000). */
  pageSize?: number;
  /** Only the events this accepts are yielded (all pages are still read). */
  filter?: (event: LoggedEvent) => boolean;
}

export async function* readAllEvents(
  log: Pick<EventLog, 'read'>,
  opts: ReadAllOptions = {},
): AsyncGenerator<LoggedEvent> {
  const pageSize = opts.pageSize ?? 5000;
  let cursor = opts.after ?? 0;
  for (;;) {
    const page = await log.read(cursor, pageSize);
    for (const e of page.events) if (!opts.filter || opts.filter(e)) yield e;
    // A cursor that did not move would read the same page forever.
    if (page.events.length === 0 || page.cursor === cursor) return;
    cursor = page.cursor;
  }
}
