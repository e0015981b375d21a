// Bundles the browser collector (src/browser/entry.ts) into the one file that
// `GET /tessera.js` serves: an IIFE, minified, for browsers back to ES2020.
// Its gzipped size is checked by scripts/check-browser-size.mjs.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { collectorBuildOptions } from './collector-build.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

await build({ ...collectorBuildOptions, absWorkingDir: root, outfile: 'dist/browser/tessera.min.js' });

// The on-device learning module (tessera/federated), an ES module the
// collector imports lazily, only for visitors who chose "learn on my device
// only". Outside the collector's budget by design.
await build({
  entryPoints: ['src/browser/federated/entry.ts'],
  bundle: true,
  format: 'esm',
  minify: true,
  target: 'es2020',
  platform: 'browser',
  legalComments: 'none',
  logLevel: 'warning',
  absWorkingDir: root,
  outfile: 'dist/browser/tessera-federated.min.js',
});
