// Bundles the browser collector (src/browser/entry.ts) into the one file that
// `GET /tessera.js` serves: an IIFE, minified, for browsers back to ES2019.
// Its gzipped size is checked by scripts/check-browser-size.mjs.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

await build({
  absWorkingDir: root,
  entryPoints: ['src/browser/entry.ts'],
  outfile: 'dist/browser/tessera.min.js',
  bundle: true,
  format: 'iife',
  minify: true,
  target: 'es2019',
  platform: 'browser',
  legalComments: 'none',
  logLevel: 'warning',
});
