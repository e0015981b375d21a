/**
 * Ratings or interactions as delimited text, `user item [rating [timestamp]]`:
 * MovieLens `u.data` (tabs, no header), `ratings.dat` (`::`), CSV with a
 * header. A missing rating counts as 1 (an implicit interaction).
 * @module
 */
import type { Interactions, ReadReport } from '../model-types.js';
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
import { createIdSpace, type IdSpace, InteractionsBuilder, type MergePolicy } from './id-space.js';
import { readLines } from './lines.js';

export interface RatingsOptions {
  /** Share ids with another file (train and test). */
  space?: IdSpace;
  /** Repeated (user, item) pairs: default `last` (a re-rating replaces the old one). */
  merge?: MergePolicy;
}

export interface RatingsResult {
  data: Interactions;
  report: ReadReport;
  delimiter: Delimiter;
  header: string[] | null;
}

export async function readRatings(path: string, opts: RatingsOptions = {}): Promise<RatingsResult> {
  const builder = new InteractionsBuilder(opts.space ?? createIdSpace());
  const report: ReadReport = { lines: 0, skipped: 0, merged: 0 };
  let delimiter: Delimiter | undefined;
  let header: string[] | null = null;
  let cols: Partial<Record<ColumnRole, number>> = { user: 0, item: 1, rating: 2, time: 3 };
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
        header = fields;
        cols = headerColumns(path, n, fields);
        report.skipped++;
        continue;
      }
    }
    const f = splitFields(text, delimiter);
    const user = f[cols.user ?? cols.session ?? 0];
    const item = f[cols.item ?? 1];
    if (user === undefined || item === undefined || user === '' || item === '')
      throw new DatasetError(
        path,
        n,
        `expected "user item [rating [timestamp]]", got ${JSON.stringify(text)}`,
      );
    const r = cols.rating === undefined ? undefined : f[cols.rating];
    const rating = r === undefined || r === '' ? 1 : Number(r);
    if (!Number.isFinite(rating))
      throw new DatasetError(path, n, `rating ${JSON.stringify(r)} is not a number`);
    const t = cols.time === undefined ? undefined : f[cols.time];
    const ts = t === undefined ? Number.NaN : parseTime(t);
    if (ts === undefined) throw new DatasetError(path, n, `timestamp ${JSON.stringify(t)} is not a time`);
    builder.add(user, item, rating, ts);
  }
  const { data, merged } = builder.build(opts.merge ?? 'last');
  report.merged = merged;
  return { data, report, delimiter: delimiter ?? '\t', header };
}

function headerColumns(path: string, n: number, fields: string[]): Partial<Record<ColumnRole, number>> {
  const named = columnsFromHeader(fields);
  const user = named.user ?? named.session;
  if (user === undefined && named.item === undefined) return { user: 0, item: 1, rating: 2, time: 3 };
  if (user === undefined || named.item === undefined)
    throw new DatasetError(
      path,
      n,
      `header ${JSON.stringify(fields.join(' '))} names no user or no item column`,
    );
  return { user, item: named.item, ...pick(named, 'rating'), ...pick(named, 'time') };
}

function pick(o: Partial<Record<ColumnRole, number>>, k: ColumnRole): Partial<Record<ColumnRole, number>> {
  return o[k] === undefined ? {} : { [k]: o[k] };
}
