/**
 * `tessera eval` without the command line: load, split, compare, report.
 * @module
 */
import type { DatasetFormat } from '../data/detect.js';
import { createIdSpace, nnz } from '../data/id-space.js';
import type { Interactions, ReadReport, SessionData } from '../model-types.js';
import { type Algorithms, compareNextItem, compareTopK, type NextItemRow, type TopKRow } from './compare.js';
import {
  alignedInteractions,
  alignedSessions,
  asInteractions,
  asSessions,
  type LoadedDataset,
  loadDataset,
} from './load.js';
import { nextItemTable, topKTable } from './report.js';
import { sessionTimeSplit, stratifiedSplit } from './split.js';

export type Protocol = 'top-k' | 'next-item';

export interface EvalOptions {
  /** Either `data` (split here) or `train` and `test`. */
  data?: string;
  train?: string;
  test?: string;
  format?: DatasetFormat | 'auto';
  /** Default: next-item for session files, top-k otherwise. */
  protocol?: Protocol;
  /** Default: stratified for top-k, time for next-item. */
  split?: 'stratified' | 'time';
  by?: 'item' | 'user';
  ratio?: number;
  seed?: number;
  testDays?: number;
  testFraction?: number;
  /** Default 10 for top-k, 20 for next-item. */
  k?: number;
  /** Next-item: fold a click on the item just clicked into the first, in train and test (default false, as session-rec). */
  collapseRepeats?: boolean;
  model?: string;
  only?: string[];
  itemCategory?: ArrayLike<number>;
  log?: (message: string) => void;
}

/** The protocol as run, with what it evaluated and what it left out. */
export type ProtocolReport =
  | {
      name: 'top-k';
      /** Test users evaluated. */
      users: number;
      /** Test users without training interactions. */
      skippedUsers: number;
    }
  | {
      name: 'next-item';
      /** Whether repeated clicks on the item just clicked were folded when reading (not session-rec's protocol). */
      collapseRepeats: boolean;
      /** Clicks folded by `collapseRepeats` (0 when off). */
      mergedRepeats: number;
      /** Next clicks predicted per model: every click after the first of each test session. */
      predictions: number;
      /** Test clicks on items unknown to training, removed before predicting. */
      skippedUnseen: number;
      /** Test sessions left with fewer than two clicks. */
      skippedSessions: number;
    };

export interface EvalReport {
  protocol: ProtocolReport;
  k: number;
  split: Record<string, string | number>;
  reads: Array<{ path: string; format: DatasetFormat } & ReadReport>;
  rows: TopKRow[] | NextItemRow[];
  table: string;
}

export async function runEval(algos: Algorithms, o: EvalOptions): Promise<EvalReport> {
  const log = o.log ?? (() => {});
  const format = o.format ?? 'auto';
  const seed = o.seed ?? 42;
  const collapseRepeats = o.collapseRepeats ?? false;
  const space = createIdSpace();
  const files: LoadedDataset[] = [];
  const read = async (path: string): Promise<LoadedDataset> => {
    log(`reading ${path}`);
    const d = await loadDataset(path, format, space, collapseRepeats);
    log(
      `${path}: ${d.format}, ${d.report.lines} lines, ${d.report.skipped} skipped, ${d.report.merged} merged`,
    );
    files.push(d);
    return d;
  };
  let pair: { train: LoadedDataset; test: LoadedDataset } | undefined;
  let whole: LoadedDataset | undefined;
  if (o.data !== undefined) whole = await read(o.data);
  else if (o.train !== undefined && o.test !== undefined)
    pair = { train: await read(o.train), test: await read(o.test) };
  else throw new Error('[tessera] [eval] give --data FILE, or --train FILE and --test FILE');
  const first = (whole ?? pair!.train).format;
  const protocol = o.protocol ?? (first === 'ratings' ? 'top-k' : 'next-item');
  if (protocol === 'top-k' && collapseRepeats)
    throw new Error('[tessera] [eval] --collapse-repeats applies to --protocol next-item only');
  const k = o.k ?? (protocol === 'top-k' ? 10 : 20);
  const reads = files.map((f) => ({ path: f.path, format: f.format, ...f.report }));
  const cmp = { k, seed, ...(o.model ? { model: o.model } : {}), ...(o.only ? { only: o.only } : {}), log };

  if (protocol === 'top-k') {
    let train: Interactions;
    let test: Interactions;
    let split: Record<string, string | number>;
    if (whole) {
      if ((o.split ?? 'stratified') !== 'stratified')
        throw new Error('[tessera] [eval] top-k uses --split stratified');
      const by = o.by ?? 'item';
      const ratio = o.ratio ?? 0.75;
      ({ train, test } = stratifiedSplit(asInteractions(whole), { by, ratio, seed }));
      split = { kind: 'stratified', by, ratio, seed };
    } else {
      [train, test] = alignedInteractions(pair!.train, pair!.test);
      split = { kind: 'files', train: pair!.train.path, test: pair!.test.path };
    }
    split.train_interactions = nnz(train);
    split.test_interactions = nnz(test);
    log(`top-k: ${nnz(train)} training, ${nnz(test)} test interactions, k=${k}`);
    const r = await compareTopK(algos, train, test, {
      ...cmp,
      ...(o.itemCategory ? { itemCategory: o.itemCategory } : {}),
    });
    return {
      protocol: { name: 'top-k', users: r.users, skippedUsers: r.skippedUsers },
      k,
      split,
      reads,
      rows: r.rows,
      table: topKTable(r.rows, k),
    };
  }

  let train: SessionData;
  let test: SessionData;
  let split: Record<string, string | number>;
  if (whole) {
    if ((o.split ?? 'time') !== 'time') throw new Error('[tessera] [eval] next-item uses --split time');
    const by = o.testDays !== undefined ? { days: o.testDays } : { fraction: o.testFraction ?? 0.2 };
    ({ train, test } = sessionTimeSplit(asSessions(whole), by));
    split = { kind: 'time', ...by };
  } else {
    [train, test] = alignedSessions(pair!.train, pair!.test, space);
    split = { kind: 'files', train: pair!.train.path, test: pair!.test.path };
  }
  split.train_sessions = train.sessions.length;
  split.test_sessions = test.sessions.length;
  log(
    `next-item: ${train.sessions.length} training, ${test.sessions.length} test sessions, k=${k}, repeats ${collapseRepeats ? 'collapsed' : 'kept'}`,
  );
  const r = await compareNextItem(algos, train, test, cmp);
  const mergedRepeats = collapseRepeats
    ? files.filter((f) => f.format !== 'ratings').reduce((a, f) => a + f.report.merged, 0)
    : 0;
  return {
    protocol: {
      name: 'next-item',
      collapseRepeats,
      mergedRepeats,
      predictions: r.predictions,
      skippedUnseen: r.skippedUnseen,
      skippedSessions: r.skippedSessions,
    },
    k,
    split,
    reads,
    rows: r.rows,
    table: nextItemTable(r.rows, k),
  };
}
