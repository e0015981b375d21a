/**
 * Code in Vercel's `edge-runtime` behind a loopback server, for the HTTP
 * suites: bundle an entry as the runtime bundles are (scripts/build-runtime.mjs,
 * lol-html in WebAssembly embedded, one IIFE), then start it in an
 * `EdgeRuntime` with a `process.env` of its own and serve it with `runServer`.
 * The entry answers the `/__test/profiles` and `/__test/events` counts.
 * @module
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EdgeRuntime, runServer } from 'edge-runtime';
// @ts-expect-error plain .mjs build script without types
import { buildRuntime } from '../../scripts/build-runtime.mjs';
import type { Target } from './node-target.js';

/** The bundle's code as text; `alias` maps import specifiers to files (absolute paths). */
export async function bundleForEdgeRuntime(
  entry: string,
  alias: Record<string, string> = {},
): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-edge-'));
  try {
    const outfile = join(dir, 'entry.js');
    await (buildRuntime as (o: object) => Promise<unknown>)({
      entry,
      outfile,
      format: 'iife',
      minify: false,
      alias,
    });
    return readFileSync(outfile, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The settings every HTTP suite target runs with; `env` adds to them. */
const SUITE_ENV = {
  TESSERA_SECRET: 'http-suite-secret-http-suite-secret-00',
  TESSERA_CONSENT_MODE: 'opt-in',
  TESSERA_SECURE_COOKIES: 'false',
};

/** Starts `code` in a fresh `EdgeRuntime` on a loopback port; closing the target stops the server. */
export async function startEdgeRuntimeTarget(code: string, env: Record<string, string>): Promise<Target> {
  const runtime = new EdgeRuntime({
    initialCode: code,
    extend: (context) => Object.assign(context, { process: { env: { ...SUITE_ENV, ...env } } }),
  });
  const server = await runServer({ runtime, port: 0, host: '127.0.0.1' });
  const baseUrl = server.url.replace(/\/$/, '');
  const count = async (what: string) =>
    ((await (await fetch(`${baseUrl}/__test/${what}`)).json()) as { count: number }).count;
  return {
    baseUrl,
    profileCount: () => count('profiles'),
    eventCount: () => count('events'),
    close: () => server.close(),
  };
}
