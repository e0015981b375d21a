/** The comparison as an aligned text table (the chosen model marked `*`). */
import { formatParams, type NextItemRow, type TopKRow } from './compare.js';
import type { ProtocolReport } from './run.js';

interface Column<R> {
  title: string;
  cell(r: R): string;
  left?: boolean;
}

const f4 = (x: number): string => x.toFixed(4);

export function table<R>(rows: R[], columns: Array<Column<R>>): string {
  const cells = rows.map((r) => columns.map((c) => c.cell(r)));
  const widths = columns.map((c, j) => Math.max(c.title.length, ...cells.map((row) => row[j]!.length)));
  const line = (values: string[]): string =>
    values
      .map((v, j) => (columns[j]!.left ? v.padEnd(widths[j]!) : v.padStart(widths[j]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.title)), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join(
    '\n',
  );
}

const name = <R extends { model: string; chosen: boolean }>(): Column<R> => ({
  title: 'model',
  left: true,
  cell: (r) => `${r.chosen ? '*' : ' '} ${r.model}`,
});

export function topKTable(rows: TopKRow[], k: number): string {
  return table(rows, [
    name<TopKRow>(),
    { title: 'MAP', cell: (r) => f4(r.map) },
    { title: `nDCG@${k}`, cell: (r) => f4(r.ndcg) },
    { title: `P@${k}`, cell: (r) => f4(r.precision) },
    { title: `R@${k}`, cell: (r) => f4(r.recall) },
    { title: 'coverage', cell: (r) => f4(r.coverage) },
    { title: 'diversity', cell: (r) => f4(r.diversity) },
    { title: 'novelty', cell: (r) => r.novelty.toFixed(2) },
    { title: 'train s', cell: (r) => r.train_seconds.toFixed(2) },
    { title: 'params (tuned on validation)', left: true, cell: (r) => formatParams(r.params) },
  ]);
}

export function nextItemTable(rows: NextItemRow[], k: number): string {
  return table(rows, [
    name<NextItemRow>(),
    { title: `HR@${k}`, cell: (r) => f4(r.hr) },
    { title: `MRR@${k}`, cell: (r) => f4(r.mrr) },
    { title: 'coverage', cell: (r) => f4(r.coverage) },
    { title: 'train s', cell: (r) => r.train_seconds.toFixed(2) },
    { title: 'params (tuned on validation)', left: true, cell: (r) => formatParams(r.params) },
  ]);
}

/** One line saying how the protocol ran: what was counted, what was left out, repeats kept or folded. */
export function protocolLine(p: ProtocolReport): string {
  if (p.name === 'top-k') return `top-k: ${p.users} test users, ${p.skippedUsers} skipped (no training rows)`;
  const repeats = p.collapseRepeats
    ? `repeats collapsed (${p.mergedRepeats} clicks folded; not session-rec's protocol)`
    : 'repeats kept (session-rec)';
  return `next-item: ${repeats}; ${p.predictions} predictions; ${p.skippedUnseen} test clicks on items unseen in training removed; ${p.skippedSessions} test sessions with < 2 known clicks skipped`;
}
