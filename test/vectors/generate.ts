/**
 * Fills in `expect` of every case in rules.json, variant-keys.json and
 * profile-merges.json from what the current code answers. The inputs are
 * written by hand; run this after adding a case or changing behaviour on
 * purpose, then review the diff (a changed expectation is a changed contract):
 *
 *   npx tsx test/vectors/generate.ts && npx biome format --write test/vectors
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runVectors, type VectorKind } from './runner.js';

const KINDS: VectorKind[] = ['rules', 'variant-keys', 'profile-merges'];

for (const kind of KINDS) {
  const path = fileURLToPath(new URL(`./${kind}.json`, import.meta.url));
  const file = JSON.parse(readFileSync(path, 'utf8')) as { cases: Array<Record<string, unknown>> };
  const observed = runVectors(kind, file);
  file.cases = file.cases.map((c, i) => {
    const { expect: _old, ...input } = c;
    // Disagreeing merge orders or cache paths are bugs to fix, not results to record.
    const o = observed[i] as { reads?: unknown; differingOrders?: string[]; withProfileOnlyCache?: unknown };
    if (o.differingOrders?.length) {
      throw new Error(
        `[tessera] [vectors] ${c.name}: merge orders disagree: ${o.differingOrders.join(', ')}`,
      );
    }
    if (o.withProfileOnlyCache !== undefined) {
      throw new Error(`[tessera] [vectors] ${c.name}: the profile-only cache path gives other segments`);
    }
    return { ...input, expect: kind === 'profile-merges' ? o.reads : observed[i] };
  });
  writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`);
  console.log(`${kind}.json: ${file.cases.length} cases`);
}
