/**
 * `tessera doctor`: checks a node's configuration and what it depends on
 * (data dir modes, key ring, store, model, event log, bus, clock skew) and
 * prints one line per check, `ok`, `warn` or `fail`, with how to fix what is
 * wrong. It resolves the same settings as `serve` (flags, `TESSERA_*`, the
 * config file) and changes nothing. Exit status: 0 when nothing failed, 1
 * when a check failed (a setting serve would refuse included), 2 on bad usage (an unknown flag).
 * @module
 */
import type { Command } from 'commander';
import type { NodeConfig } from '../../runtimes/node/config.js';
import {
  type CheckResult,
  checkBus,
  checkDataDir,
  checkKeyRing,
  checkLog,
  checkStores,
} from './doctor-checks.js';
import { checkClock } from './doctor-clock.js';
import { nodeOptions, resolveCommandConfig } from './serve.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export async function runChecks(c: NodeConfig): Promise<CheckResult[]> {
  // Modes first: opening the stores tightens their files.
  const results = [checkDataDir(c), checkKeyRing(c)];
  const opened = await checkStores(c);
  results.push(...opened.results);
  try {
    const log = await checkLog(c);
    if (log) results.push(log);
    results.push(await checkBus(c));
    results.push(await checkClock(c));
  } finally {
    await opened.stores?.close().catch(() => undefined);
  }
  return results;
}

export function formatResults(results: readonly CheckResult[]): string[] {
  const width = Math.max(...results.map((r) => r.check.length));
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${r.level.padEnd(4)}  ${r.check.padEnd(width)}  ${r.message}`);
    if (r.fix) lines.push(`${' '.repeat(width + 8)}fix: ${r.fix}`);
  }
  return lines;
}

export const exitCodeOf = (results: readonly CheckResult[]) =>
  results.some((r) => r.level === 'fail') ? EXIT_FAILED : EXIT_OK;

/** The command without the process: flags and environment in, lines out, the exit status back. */
export async function doctorCommand(
  flags: Record<string, unknown>,
  env: Record<string, string | undefined>,
  print: (line: string) => void = console.log,
): Promise<number> {
  let results: CheckResult[];
  try {
    results = await runChecks(resolveCommandConfig(flags, env));
  } catch (e) {
    // A setting serve would refuse (a short secret, an unknown scheme) is what doctor is for: a failed check.
    const message = e instanceof Error ? e.message : String(e);
    results = [
      {
        check: 'config',
        level: 'fail',
        message,
        fix: 'change the flag, TESSERA_* variable or config-file key the message names',
      },
    ];
  }
  const code = exitCodeOf(results);
  if (flags.json) {
    const status = code === EXIT_OK ? (results.some((r) => r.level === 'warn') ? 'warn' : 'ok') : 'fail';
    print(JSON.stringify({ status, checks: results }, null, 2));
  } else {
    for (const line of formatResults(results)) print(line);
  }
  return code;
}

export function registerDoctor(program: Command): void {
  nodeOptions(
    program
      .command('doctor')
      .description(
        'check a configuration and its dependencies (store, log, bus, key ring, model, data dir, clock); exit 1 on a failure',
      ),
    'node-1',
  )
    .option('--json', 'the checks as JSON')
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE))
    .action(async (o: Record<string, unknown>) => {
      process.exitCode = await doctorCommand(o, process.env);
    });
}
