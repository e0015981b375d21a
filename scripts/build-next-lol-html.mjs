// Writes lol-html's JavaScript glue for Next.js's edge bundler (webpack with
// the `edge-light` condition), which package.json's `#lol-html` import maps
// here. html-rewriter-wasm's own glue cannot run there: it reads its .wasm
// with `fs` and requires `util` and `assert` through template literals webpack
// cannot follow, and Next's edge sandbox refuses to compile WebAssembly from
// bytes. This copy takes the compiled module from Next's
// `import wasm from '…wasm?module'` mechanism instead (the module is compiled
// by Next when it loads the middleware, not by the code) and uses the Web
// globals for the rest. Same patch as scripts/build-runtime.mjs's esbuild
// plugin; run by `npm run build`.
//
//   node scripts/build-next-lol-html.mjs

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ASSERT } from './build-runtime.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const glueDir = join(root, 'node_modules/html-rewriter-wasm/dist');
const outDir = join(root, 'dist/frameworks/next/lol-html');

/** Replaces `from` in `src`, and fails the build if html-rewriter-wasm no longer contains it. */
function replaceOrFail(src, from, to) {
  const out = src.replace(from, to);
  if (out === src)
    throw new Error(`[tessera] [build] html-rewriter-wasm changed: ${from} not found in its glue`);
  return out;
}

let glue = readFileSync(join(glueDir, 'html_rewriter.js'), 'utf8');
glue = replaceOrFail(glue, 'require(String.raw`./asyncify.js`)', "require('./asyncify.cjs')");
glue = replaceOrFail(glue, 'require(String.raw`util`)', 'globalThis');
glue = replaceOrFail(
  glue,
  /const path = require\('path'\)[^\n]*\nconst bytes = require\('fs'\)[^\n]*\n\s*const wasmModule = new WebAssembly\.Module\(bytes\);/,
  // Next's middleware-wasm loader: the module, compiled by Next's sandbox from the emitted .wasm.
  "const wasmModule = require('html-rewriter-wasm/dist/html_rewriter_bg.wasm?module');",
);

const asyncify = replaceOrFail(
  readFileSync(join(glueDir, 'asyncify.js'), 'utf8'),
  'const assert = require("assert");',
  ASSERT,
);

mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'html_rewriter.cjs'), glue);
writeFileSync(join(outDir, 'asyncify.cjs'), asyncify);
