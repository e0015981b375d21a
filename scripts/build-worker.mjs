// Bundles a Cloudflare Worker (default: the demo shop, examples/cloudflare/worker.ts)
// into dist-worker/. Platform 'neutral' with the workerd/worker/browser
// conditions: a `node:` import or a Node-only package anywhere in the graph
// fails the build instead of failing at deploy. The shop's templates and CSS
// come in as text, the catalog as JSON, and the browser collector is built in
// memory with the same options as scripts/build-browser.mjs.
//
//   node scripts/build-worker.mjs [entry] [outfile]

import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { collectorBuildOptions } from './collector-build.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The collector as `GET /tessera.js` serves it (the same options as build-browser.mjs). */
export async function buildCollector() {
  const out = await build({ ...collectorBuildOptions, absWorkingDir: root, write: false });
  return out.outputFiles[0].text;
}

export const collectorPlugin = (script) => ({
  name: 'tessera-collector',
  setup(b) {
    b.onResolve({ filter: /^tessera:collector$/ }, () => ({ path: 'collector', namespace: 'tessera' }));
    b.onLoad({ filter: /.*/, namespace: 'tessera' }, () => ({ contents: script, loader: 'text' }));
  },
});

/** `tessera:uplot`: uPlot's minified script as text, from the installed package (the dashboard inlines it). */
export const uplotPlugin = {
  name: 'tessera-uplot',
  setup(b) {
    b.onResolve({ filter: /^tessera:uplot$/ }, () => ({ path: 'uplot', namespace: 'tessera-uplot' }));
    b.onLoad({ filter: /.*/, namespace: 'tessera-uplot' }, () => ({
      contents: readFileSync(join(root, 'node_modules/uplot/dist/uPlot.iife.min.js'), 'utf8'),
      loader: 'text',
    }));
  },
};

/**
 * OpenTelemetry's packages pick their platform code by the package.json
 * "browser" map (`./platform` → `./platform/browser/index.js`); esbuild
 * applies such maps only for platform 'browser', so this build applies them
 * for the `platform` folders of dependencies. Without it the Node variant
 * (os, fs, util) is bundled, and the build fails.
 */
export const browserPlatformPlugin = {
  name: 'browser-platform',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\/(.*\/)?platform$/ }, (args) => {
      if (!args.importer.includes('node_modules')) return undefined;
      const browser = join(args.resolveDir, args.path, 'browser', 'index.js');
      return existsSync(browser) ? { path: browser } : undefined;
    });
  },
};

/**
 * @param {{ entry?: string, outfile?: string, minify?: boolean }} [o]
 * @returns {Promise<{ outfile: string, bytes: number, gzipBytes: number }>}
 */
export async function buildWorker(o = {}) {
  const entry = o.entry ?? 'examples/cloudflare/worker.ts';
  const outfile = o.outfile ?? 'dist-worker/worker.js';
  const collector = await buildCollector();
  await build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['browser', 'module', 'main'],
    external: ['cloudflare:*'],
    loader: { '.html': 'text', '.css': 'text' },
    target: 'es2022',
    minify: o.minify ?? true,
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [collectorPlugin(collector), browserPlatformPlugin, uplotPlugin],
  });
  const code = readFileSync(isAbsolute(outfile) ? outfile : join(root, outfile));
  return { outfile, bytes: code.byteLength, gzipBytes: gzipSync(code, { level: 9 }).byteLength };
}

/**
 * Bundles a TypeScript module for Node (e.g. examples/cloudflare/train-model.ts)
 * and imports it: the dev server and the benchmark are plain .mjs scripts.
 * @param {string} entry @param {string} outfile
 */
export async function importForNode(entry, outfile) {
  await build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    packages: 'external',
    target: 'node20',
    logLevel: 'warning',
  });
  return import(isAbsolute(outfile) ? outfile : join(root, outfile));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [entry, outfile] = process.argv.slice(2);
  const r = await buildWorker({ ...(entry ? { entry } : {}), ...(outfile ? { outfile } : {}) });
  console.log(
    `${r.outfile}: ${(r.bytes / 1024).toFixed(1)} KiB, ${(r.gzipBytes / 1024).toFixed(1)} KiB gzipped`,
  );
}
