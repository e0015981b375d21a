// Fails (exit 1) when the built collector is over its gzipped size budget.
// The number is what a visitor downloads, so it is measured the way servers
// compress: gzip at level 9.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET = 3072;
const file = fileURLToPath(new URL('../dist/browser/tessera.min.js', import.meta.url));

let source;
try {
  source = readFileSync(file);
} catch (cause) {
  console.error(
    `[tessera] [browser] ${file} is missing; run \`node scripts/build-browser.mjs\` first`,
    cause,
  );
  process.exit(1);
}
const size = gzipSync(source, { level: 9 }).length;
console.log(`tessera.js: ${size} bytes gzipped (budget ${BUDGET})`);
if (size > BUDGET) {
  console.error(`[tessera] [browser] tessera.js is ${size - BUDGET} bytes over budget`);
  process.exit(1);
}
