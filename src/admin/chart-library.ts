/**
 * uPlot, the dashboard's charting library, read from the installed package's
 * `dist` (no CDN: the dashboard works offline and its CSP allows no other
 * origin). The admin route inlines it into the page under the page's one
 * script hash, so the CSP stays hash-only. Node only; a Worker bundles the
 * same two files as text (examples/cloudflare/shop.ts).
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ChartLibrary } from './dashboard.js';

let cached: ChartLibrary | undefined;

export function uplotFromPackage(): ChartLibrary {
  if (cached) return cached;
  // The package has no `exports` map: its main file locates `dist`.
  const dist = dirname(createRequire(import.meta.url).resolve('uplot'));
  cached = {
    script: readFileSync(join(dist, 'uPlot.iife.min.js'), 'utf8'),
    style: readFileSync(join(dist, 'uPlot.min.css'), 'utf8'),
  };
  return cached;
}
