// `npm run build:fastly`: the demo shop for Fastly Compute. Bundles
// examples/fastly/src/index.ts (build-runtime.mjs; `fastly:*` left to the
// runtime) into dist/fastly/index.js, then compiles it with @fastly/js-compute's
// js-compute-runtime into dist/fastly/tessera.wasm (StarlingMonkey, the module
// initialized at build time by Wizer: a bundle that throws while loading
// fails here). Viceroy, Fastly's local server, cannot be fetched on this
// machine; `fastly compute serve` runs the wasm where it can.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { buildRuntime } from './build-runtime.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const js = await buildRuntime({
  entry: 'examples/fastly/src/index.ts',
  outfile: 'dist/fastly/index.js',
  external: ['fastly:*'],
  // No WebAssembly global in js-compute: the lol-html wasm must not be in this bundle.
  conditions: ['fastly', 'worker', 'browser'],
});
if (readFileSync(join(root, js.outfile), 'utf8').includes('html_rewriter_bg'))
  throw new Error(
    '[tessera] [build:fastly] html-rewriter-wasm got into the bundle; Fastly has no WebAssembly',
  );
const wasm = join(root, 'dist/fastly/tessera.wasm');
const cli = join(root, 'node_modules/@fastly/js-compute/dist/cli/js-compute-runtime-cli.js');
execFileSync(process.execPath, [cli, join(root, js.outfile), wasm], { stdio: 'inherit' });
const size = statSync(wasm).size;
const gz = gzipSync(readFileSync(wasm), { level: 6 }).byteLength;
console.log(
  `[tessera] ${js.outfile}: ${(js.bytes / 1024).toFixed(1)} KiB (${(js.gzipBytes / 1024).toFixed(1)} KiB gzipped)`,
);
console.log(
  `[tessera] dist/fastly/tessera.wasm: ${(size / 1048576).toFixed(1)} MiB (${(gz / 1048576).toFixed(1)} MiB gzipped; Fastly's limit is 100 MB)`,
);
