/**
 * `tessera eval`: the chosen model beside every baseline on one split, as a
 * table and (with --json) as JSON. Progress goes to stderr; with --json the
 * table does too, so stdout is only the JSON object.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { Algorithms } from '../../train/eval/compare.js';
import { protocolLine } from '../../train/eval/report.js';
import { type EvalOptions, type EvalReport, runEval } from '../../train/eval/run.js';
import { positiveInt } from '../options.js';

interface EvalFlags {
  data?: string;
  train?: string;
  test?: string;
  format: 'auto' | 'ratings' | 'sessions' | 'otto';
  protocol?: 'top-k' | 'next-item';
  split?: 'stratified' | 'time';
  by: 'item' | 'user';
  ratio: number;
  seed: number;
  testDays?: number;
  testFraction?: number;
  k?: number;
  model?: string;
  only?: string;
  collapseRepeats?: boolean;
  json?: boolean;
}

function fraction(v: string): number {
  const n = Number(v);
  if (!(n > 0 && n < 1)) throw new InvalidArgumentError('expected a number between 0 and 1');
  return n;
}

function nonNegativeInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected an integer >= 0');
  return n;
}

/** The JSON document: `{ protocol: { name, ...counts }, k, split, reads, rows }`. */
export function evalJson(r: EvalReport): object {
  return { protocol: r.protocol, k: r.k, split: r.split, reads: r.reads, rows: r.rows };
}

/** A flag, else its TESSERA_* variable (`1`/`true`/`yes`), else off. */
function flagOrEnv(flag: boolean | undefined, value: string | undefined): boolean {
  return flag ?? /^(1|true|yes)$/i.test(value ?? '');
}

export async function evalCommand(flags: EvalFlags, algos?: Algorithms): Promise<EvalReport> {
  const log = (m: string): void => {
    process.stderr.write(`[tessera] ${m}\n`);
  };
  const a: Algorithms = algos ?? (await import('../../train/algorithms/index.js'));
  const o: EvalOptions = {
    format: flags.format,
    by: flags.by,
    ratio: flags.ratio,
    seed: flags.seed,
    collapseRepeats: flagOrEnv(flags.collapseRepeats, process.env.TESSERA_EVAL_COLLAPSE_REPEATS),
    log,
    ...(flags.data !== undefined ? { data: flags.data } : {}),
    ...(flags.train !== undefined ? { train: flags.train } : {}),
    ...(flags.test !== undefined ? { test: flags.test } : {}),
    ...(flags.protocol !== undefined ? { protocol: flags.protocol } : {}),
    ...(flags.split !== undefined ? { split: flags.split } : {}),
    ...(flags.testDays !== undefined ? { testDays: flags.testDays } : {}),
    ...(flags.testFraction !== undefined ? { testFraction: flags.testFraction } : {}),
    ...(flags.k !== undefined ? { k: flags.k } : {}),
    ...(flags.model !== undefined ? { model: flags.model } : {}),
    ...(flags.only !== undefined ? { only: flags.only.split(',').map((s) => s.trim()) } : {}),
  };
  const report = await runEval(a, o);
  const chosen = report.rows.find((r) => r.chosen);
  const heading = `${report.protocol.name} @${report.k}, split ${JSON.stringify(report.split)}; chosen: ${chosen?.model} (${flags.model ? 'asked for' : 'best on validation'})\n${protocolLine(report.protocol)}`;
  if (flags.json) {
    process.stderr.write(`${heading}\n${report.table}\n`);
    process.stdout.write(`${JSON.stringify(evalJson(report), null, 2)}\n`);
  } else {
    process.stdout.write(`${heading}\n${report.table}\n`);
  }
  return report;
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('compare the recommendation models with honest baselines on one split')
    .option('--data <file>', 'one dataset, split here')
    .option('--train <file>', 'training file (with --test)')
    .option('--test <file>', 'test file (with --train)')
    .addOption(
      new Option('--format <format>', 'file format')
        .choices(['auto', 'ratings', 'sessions', 'otto'])
        .default('auto'),
    )
    .addOption(
      new Option('--protocol <protocol>', 'top-k, or next-item (default for session files)').choices([
        'top-k',
        'next-item',
      ]),
    )
    .addOption(new Option('--split <split>', 'how --data is split').choices(['stratified', 'time']))
    .addOption(
      new Option('--by <group>', 'stratify per item or per user').choices(['item', 'user']).default('item'),
    )
    .option('--ratio <r>', 'share of each group in training (stratified)', fraction, 0.75)
    .option('--seed <n>', 'random seed of the split and of tuning', nonNegativeInt, 42)
    .option('--test-days <n>', 'time split: sessions ending in the last N days are the test', positiveInt)
    .option('--test-fraction <f>', 'time split: the latest share of sessions (default 0.2)', fraction)
    .option('--k <n>', 'list length (default 10 top-k, 20 next-item)', positiveInt)
    .option('--model <name>', 'the model to mark as chosen (default: best on validation)')
    .option('--only <names>', 'comma-separated candidates to run (the chosen one always runs)')
    .option(
      '--collapse-repeats',
      'next-item: fold a click on the item just clicked into the first, in train and test (off by default, as session-rec; TESSERA_EVAL_COLLAPSE_REPEATS)',
    )
    .option('--json', 'print the comparison as JSON on stdout')
    .action(async (flags: EvalFlags) => {
      await evalCommand(flags);
    });
}
