#!/usr/bin/env node
// Checks that every entry of package.json's `exports` map points at a built
// file that exists and can be imported, and that the bin does too.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const problems = [];
for (const [subpath, target] of Object.entries(pkg.exports)) {
  const files = typeof target === 'string' ? [target] : Object.values(target);
  for (const file of files) {
    const abs = join(root, file);
    if (!existsSync(abs)) {
      problems.push(`${subpath}: ${file} does not exist (run npm run build)`);
      continue;
    }
    if (file.endsWith('.js')) {
      try {
        await import(pathToFileURL(abs).href);
      } catch (e) {
        problems.push(`${subpath}: ${file} fails to import: ${e.message}`);
      }
    }
  }
}
for (const [name, file] of Object.entries(pkg.bin ?? {})) {
  if (!existsSync(join(root, file))) problems.push(`bin ${name}: ${file} does not exist`);
}
if (problems.length) {
  console.error(`exports check failed:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log(
  `exports check: ${Object.keys(pkg.exports).length} entries and ${Object.keys(pkg.bin ?? {}).length} bin ok`,
);
