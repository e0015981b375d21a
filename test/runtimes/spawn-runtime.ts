/**
 * Runs a bundled entry in another runtime (Deno, Bun) from a Vitest test:
 * bundles it with scripts/build-runtime.mjs into a temp folder, spawns the
 * runtime, and either reads its JSON result (a suite run inside it) or
 * waits for `listening <port>` (a server) and gives the HTTP suites a Target.
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trainShopModel } from '../../examples/cloudflare/train-model.js';
// @ts-expect-error plain .mjs build script without types
import { buildRuntime } from '../../scripts/build-runtime.mjs';
import type { Target } from '../helpers/node-target.js';
import type { CaseResult } from './mini-vitest.js';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = {
  deno: join(root, 'node_modules/.bin/deno'),
  bun: join(root, 'node_modules/.bin/bun'),
};

export interface RuntimeCommand {
  /** The executable and its arguments before the script. */
  argv: string[];
  external?: string[];
}

export async function bundle(
  entry: string,
  dir: string,
  external: string[] = [],
  format: 'esm' | 'iife' = 'esm',
): Promise<string> {
  const outfile = join(dir, format === 'esm' ? 'entry.mjs' : 'entry.js');
  await (buildRuntime as (o: object) => Promise<unknown>)({
    entry,
    outfile,
    external,
    format,
    minify: false,
    alias: { vitest: join(root, 'test/runtimes/mini-vitest.ts') },
  });
  return outfile;
}

function collectOutput(child: ChildProcess) {
  const out = { stdout: '', stderr: '' };
  child.stdout?.on('data', (d: Buffer) => {
    out.stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out.stderr += d.toString();
  });
  return out;
}

/** Runs a suite bundled from `entry` inside the runtime; resolves to its case results. */
export async function runSuiteIn(cmd: RuntimeCommand, entry: string): Promise<CaseResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-runtime-'));
  try {
    const file = await bundle(entry, dir, cmd.external);
    const child = spawn(cmd.argv[0]!, [...cmd.argv.slice(1), file], { cwd: dir });
    const out = collectOutput(child);
    const code = await new Promise<number | null>((r) => child.on('close', r));
    const line = out.stdout.trim().split('\n').pop() ?? '';
    if (!line.startsWith('['))
      throw new Error(`[test] ${cmd.argv[0]} exited ${code}:\n${out.stdout}\n${out.stderr}`);
    return JSON.parse(line) as CaseResult[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Starts a test server bundled from `entry` in the runtime, with the shop's
 * model in a file (`TESSERA_MODEL_FILE`) and `env`; a Target over HTTP.
 */
export async function startServerIn(
  cmd: RuntimeCommand,
  entry: string,
  env: Record<string, string> = {},
): Promise<Target & { dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-runtime-'));
  const file = await bundle(entry, dir, cmd.external);
  const modelFile = join(dir, 'model.tsra');
  writeFileSync(modelFile, new Uint8Array(await trainShopModel()));
  const child = spawn(cmd.argv[0]!, [...cmd.argv.slice(1), file], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? dir,
      TESSERA_SECRET: 'http-suite-secret-http-suite-secret-00',
      TESSERA_CONSENT_MODE: 'opt-in',
      TESSERA_SECURE_COOKIES: 'false',
      TESSERA_MODEL_FILE: modelFile,
      ...env,
    },
  });
  const out = collectOutput(child);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`[test] no port after 20 s:\n${out.stderr}`)), 20_000);
    child.stdout?.on('data', () => {
      const m = /listening (\d+)/.exec(out.stdout);
      if (!m) return;
      clearTimeout(timer);
      resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`[test] exited ${code}:\n${out.stdout}\n${out.stderr}`)));
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const count = async (what: string) =>
    ((await (await fetch(`${baseUrl}/__test/${what}`)).json()) as { count: number }).count;
  return {
    dir,
    baseUrl,
    profileCount: () => count('profiles'),
    eventCount: () => count('events'),
    async close() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
