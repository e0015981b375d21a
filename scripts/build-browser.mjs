// Bundles the browser collector (src/browser/entry.ts) into the one file that
// `GET /tessera.js` serves: an IIFE, minified, for browsers back to ES2020.
// Its gzipped size is checked by scripts/check-browser-size.mjs.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { collectorBuildOptions } from './collector-build.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

await build({ ...collectorBuildOptions, absWorkingDir: root, outfile: 'dist/browser/tessera.min.js' });
