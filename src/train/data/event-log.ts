/**
 * Tessera's own event log as a dataset: item events (view, click, cart,
 * purchase) become visitor × item interactions weighted by type, and visitor
 * sessions split at a pause of `gapMs`. The log is paged with `read(cursor,
 * limit)`, so it never has to fit in one reply.
 * @module
 */
import type { EventLog } from '../../core/ports.js';
import { readAllEvents } from '../../core/read-log.js';
import type { Interactions, ReadReport, SessionData } from '../model-types.js';
import { POPULARITY_WEIGHTS } from '../popularity.js';
import { isItemEvent } from '../sessions.js';
import { createIdSpace, type IdSpace, InteractionsBuilder } from './id-space.js';
import { SessionBuilder } from './session-builder.js';

export interface EventLogOptions {
  space?: IdSpace;
  /** A pause longer than this starts a new session (default 30 minutes). */
  gapMs?: number;
  /** Events per `read` call. */
  pageSize?: number;
}

export interface EventLogResult {
  interactions: Interactions;
  sessions: SessionData;
  /** `lines` = events read, `skipped` = events that are not about an item, `merged` = repeated pairs summed. */
  report: ReadReport;
}

export async function readEventLog(log: EventLog, opts: EventLogOptions = {}): Promise<EventLogResult> {
  const space = opts.space ?? createIdSpace();
  const gapMs = opts.gapMs ?? 30 * 60_000;
  const pairs = new InteractionsBuilder(space);
  const byVisitor = new Map<string, Array<{ item: string; ts: number }>>();
  const report: ReadReport = { lines: 0, skipped: 0, merged: 0 };
  for await (const e of readAllEvents(log, { pageSize: opts.pageSize ?? 10_000 })) {
    report.lines++;
    if (!isItemEvent(e)) {
      report.skipped++;
      continue;
    }
    pairs.add(e.visitor, e.item, POPULARITY_WEIGHTS[e.type] ?? 1, e.ts);
    let list = byVisitor.get(e.visitor);
    if (list === undefined) {
      list = [];
      byVisitor.set(e.visitor, list);
    }
    list.push({ item: e.item, ts: e.ts });
  }
  const sessions = new SessionBuilder(space.items);
  // Tessera's log records every page view, so a reload is a repeat of the same
  // view, not a second visit: folded here (public click logs are read as they are).
  for (const [visitor, list] of byVisitor) {
    list.sort((a, b) => a.ts - b.ts);
    let n = 0;
    let last = Number.NEGATIVE_INFINITY;
    for (const { item, ts } of list) {
      if (ts - last > gapMs) n++;
      sessions.add(`${visitor}#${n}`, item, ts);
      last = ts;
    }
  }
  const { data, merged } = pairs.build('sum');
  report.merged = merged;
  return { interactions: data, sessions: sessions.build(true).data, report };
}
