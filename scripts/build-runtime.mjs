// Bundles a Tessera entry for a Web-standard runtime other than workerd (Deno,
// Bun, Vercel's edge-runtime, Fastly Compute): the Worker build's conditions
// and plugins (the shop's templates as text, the collector built in memory),
// plus lol-html in WebAssembly embedded in the bundle for runtimes without a
// native HTMLRewriter. html-rewriter-wasm reads its .wasm with `fs` next to
// its own file; here the bytes come from the bundle instead, and its `util`
// and `assert` requires become the Web globals, so the bundle needs no Node.
//
//   node scripts/build-runtime.mjs <entry> <outfile> [--external=bun:*]

import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { browserPlatformPlugin, buildCollector, collectorPlugin, uplotPlugin } from './build-worker.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const wasmPath = join(root, 'node_modules/html-rewriter-wasm/dist/html_rewriter_bg.wasm');

/** A stand-in for Node's `assert` with the two calls asyncify.js makes. */
export const ASSERT = `function assert(v, m) { if (!v) throw new Error(m || 'assertion failed'); }
assert.strictEqual = (a, b) => { if (a !== b) throw new Error('expected ' + a + ' to be ' + b); };`;

export const embeddedLolHtmlPlugin = {
  name: 'embedded-lol-html',
  setup(b) {
    b.onResolve({ filter: /^tessera-wasm:lol-html$/ }, () => ({ path: wasmPath }));
    b.onLoad({ filter: /html-rewriter-wasm[\\/]dist[\\/]html_rewriter\.js$/ }, (args) => {
      const src = readFileSync(args.path, 'utf8')
        .replace('require(String.raw`util`)', 'globalThis')
        .replace('require(String.raw`./asyncify.js`)', "require('./asyncify.js')")
        .replace(
          /const path = require\('path'\)[^\n]*\nconst bytes = require\('fs'\)[^\n]*/,
          "const embedded = require('tessera-wasm:lol-html'); const bytes = embedded.default || embedded;",
        );
      if (!src.includes("require('tessera-wasm:lol-html')"))
        throw new Error('[tessera] [build] html-rewriter-wasm changed: its wasm loading was not found');
      return { contents: src, loader: 'js' };
    });
    b.onLoad({ filter: /html-rewriter-wasm[\\/]dist[\\/]asyncify\.js$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replace('const assert = require("assert");', ASSERT),
      loader: 'js',
    }));
  },
};

/**
 * @param {{ entry: string, outfile: string, external?: string[], alias?: Record<string, string>,
 *   minify?: boolean, conditions?: string[], format?: 'esm' | 'iife' }} o
 * @returns {Promise<{ outfile: string, bytes: number, gzipBytes: number }>}
 */
export async function buildRuntime(o) {
  const collector = await buildCollector();
  await build({
    absWorkingDir: root,
    entryPoints: [o.entry],
    outfile: o.outfile,
    bundle: true,
    format: o.format ?? 'esm',
    platform: 'neutral',
    conditions: o.conditions ?? ['worker', 'browser'],
    mainFields: ['browser', 'module', 'main'],
    external: o.external ?? [],
    ...(o.alias ? { alias: o.alias } : {}),
    loader: { '.html': 'text', '.css': 'text', '.wasm': 'binary' },
    target: 'es2022',
    minify: o.minify ?? true,
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [collectorPlugin(collector), browserPlatformPlugin, uplotPlugin, embeddedLolHtmlPlugin],
  });
  const code = readFileSync(isAbsolute(o.outfile) ? o.outfile : join(root, o.outfile));
  return { outfile: o.outfile, bytes: code.byteLength, gzipBytes: gzipSync(code, { level: 9 }).byteLength };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [entry, outfile, ...flags] = process.argv.slice(2);
  const external = flags.filter((f) => f.startsWith('--external=')).map((f) => f.slice(11));
  const r = await buildRuntime({ entry, outfile, external });
  console.log(
    `${r.outfile}: ${(r.bytes / 1024).toFixed(1)} KiB, ${(r.gzipBytes / 1024).toFixed(1)} KiB gzipped`,
  );
}
