/**
 * The built browser collector (`npm run build` → dist/browser), for the Node
 * adapters: the same file `tessera serve` sends at `/tessera.js`. Found from
 * src/frameworks and dist/frameworks alike.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BUNDLE = fileURLToPath(new URL('../../dist/browser/tessera.min.js', import.meta.url));

export function builtCollector(): string {
  if (!existsSync(BUNDLE)) throw new Error(`[tessera] ${BUNDLE} is missing: run \`npm run build\``);
  return readFileSync(BUNDLE, 'utf8');
}
