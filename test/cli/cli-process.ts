/**
 * Runs the built CLI (`dist/cli/main.js`; `npm run build` first) as a child
 * process with an environment free of the caller's `TESSERA_*` settings.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { packageRoot } from '../../src/runtimes/node/app.js';

const main = join(packageRoot, 'dist/cli/main.js');

/** A maker of temporary data dirs (`prefix` + random), all removed after the file's tests. */
export function tempDirs(prefix: string): () => string {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
}

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TESSERA_') && k !== 'PORT') env[k] = v;
  return { ...env, ...extra };
}

function requireBuild(): void {
  if (!existsSync(main)) throw new Error(`[tessera] [test] ${main} is missing: run \`npm run build\``);
}

/** Runs a command to its end: its stdout and stderr, apart. */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ stdout: string; stderr: string }> {
  requireBuild();
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [main, ...args],
      { env: cleanEnv(env), cwd: packageRoot },
      (e, stdout, stderr) => (e ? reject(new Error(`${e.message}\n${stderr}`)) : resolve({ stdout, stderr })),
    );
  });
}

export interface RunningCli {
  base: string;
  /** The line the server printed when it started. */
  banner: string;
  /** The process, for signals of a test's own. */
  proc: ChildProcess;
  /** Everything it printed so far, stdout and stderr. */
  output: string[];
  stop(): Promise<void>;
}

/** How the process ended (its exit code, or the signal that ended it), with all it printed. */
export function ended(cli: Pick<RunningCli, 'proc' | 'output'>): Promise<{ how: string; output: string }> {
  return new Promise<string>((resolve) => {
    const how = () => `${cli.proc.exitCode ?? cli.proc.signalCode}`;
    if (cli.proc.exitCode !== null || cli.proc.signalCode !== null) resolve(how());
    else cli.proc.once('exit', () => resolve(how()));
  }).then((how) => ({ how, output: cli.output.join('') }));
}

/** Starts `dev` or `serve` and resolves once it prints the address it listens on. */
export function startCli(args: string[], env: Record<string, string> = {}): Promise<RunningCli> {
  requireBuild();
  const proc: ChildProcess = spawn(process.execPath, [main, ...args], {
    env: cleanEnv(env),
    cwd: packageRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const stop = () =>
    new Promise<void>((resolve) => {
      if (proc.exitCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`[tessera] [test] ${args.join(' ')} did not start in 20 s:\n${output.join('')}`));
    }, 20_000);
    proc.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
    proc.stdout?.on('data', (d: Buffer) => {
      output.push(d.toString());
      const m = /on (http:\/\/[^\s]+) \(/.exec(output.join(''));
      if (m?.[1]) {
        clearTimeout(timer);
        resolve({ base: m[1], banner: output.join('').trim(), proc, output, stop });
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`[tessera] [test] ${args.join(' ')} exited with ${code}:\n${output.join('')}`));
    });
  });
}
