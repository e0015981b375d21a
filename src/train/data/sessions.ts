/**
 * Sessions as delimited text in the session-rec layout: a header naming
 * `SessionId`, `ItemId` and `Time` (any order, extra columns ignored), one
 * click per line; Time in seconds or milliseconds. Without a header the
 * columns are taken as `session item time`.
 * @module
 */
import type { ReadReport, SessionData } from '../model-types.js';
import {
  type ColumnRole,
  columnsFromHeader,
  type Delimiter,
  detectDelimiter,
  looksLikeHeader,
  parseTime,
  splitFields,
} from './delimited.js';
import { DatasetError } from './errors.js';
import { IdTable } from './id-space.js';
import { readLines } from './lines.js';
import { SessionBuilder } from './session-builder.js';

export interface SessionsOptions {
  /** Share item ids with another file (train and test). */
  items?: IdTable;
  /** Fold a click on the item just clicked into the first (default false: the file as it is, as session-rec reads it). */
  collapseRepeats?: boolean;
}

export async function readSessions(
  path: string,
  opts: SessionsOptions = {},
): Promise<{ data: SessionData; report: ReadReport }> {
  const builder = new SessionBuilder(opts.items ?? new IdTable());
  const report: ReadReport = { lines: 0, skipped: 0, merged: 0 };
  let delimiter: Delimiter | undefined;
  let cols: Partial<Record<ColumnRole, number>> = { session: 0, item: 1, time: 2 };
  for await (const { text, n } of readLines(path)) {
    report.lines = n;
    if (text.trim() === '') {
      report.skipped++;
      continue;
    }
    if (delimiter === undefined) {
      delimiter = detectDelimiter(text);
      const fields = splitFields(text, delimiter);
      if (looksLikeHeader(fields)) {
        const named = columnsFromHeader(fields);
        const session = named.session ?? named.user;
        if (session === undefined || named.item === undefined || named.time === undefined)
          throw new DatasetError(
            path,
            n,
            `header ${JSON.stringify(text)} must name SessionId, ItemId and Time`,
          );
        cols = { session, item: named.item, time: named.time };
        report.skipped++;
        continue;
      }
    }
    const f = splitFields(text, delimiter);
    const session = f[cols.session!];
    const item = f[cols.item!];
    const t = f[cols.time!];
    if (!session || !item || t === undefined)
      throw new DatasetError(path, n, `expected "SessionId ItemId Time", got ${JSON.stringify(text)}`);
    const ts = parseTime(t);
    if (ts === undefined || Number.isNaN(ts))
      throw new DatasetError(path, n, `Time ${JSON.stringify(t)} is not a time`);
    builder.add(session, item, ts);
  }
  const { data, merged } = builder.build(opts.collapseRepeats ?? false);
  report.merged = merged;
  return { data, report };
}
