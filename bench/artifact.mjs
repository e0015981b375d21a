// Artifact v2 at the size of the Cloudflare KV limit: a 100,000-item catalog
// with 50 neighbours per item (generated rows, no training). Prints its size
// against 25 MiB and the median load time (readArtifact) against 100 ms, and
// the v1 layout's size and load time as the baseline from the same run.
// Run: node --import tsx bench/artifact.mjs  (or node bench/run.mjs --only=artifact)
import { performance } from 'node:perf_hooks';
import { readArtifact } from '../src/core/recommend/artifact-read.ts';
import { writeArtifact } from '../src/core/recommend/artifact-write.ts';
import { generatedModel } from '../src/core/recommend/test-data.ts';
import { fmt, median } from './lib/stats.mjs';

const MiB = 1024 * 1024;

function loadTimes(buf, rounds) {
  const ms = [];
  for (let r = 0; r < rounds; r++) {
    globalThis.gc?.();
    const t0 = performance.now();
    readArtifact(buf);
    ms.push(performance.now() - t0);
  }
  return ms;
}

export async function runArtifact({ items = 100_000, k = 50, rounds = 15 } = {}) {
  const model = generatedModel(items, k);
  const v2 = await writeArtifact(model);
  const v1 = await writeArtifact({ ...model, encoding: { formatVersion: 1 } });
  const v2Ms = median(loadTimes(v2, rounds));
  const v1Ms = median(loadTimes(v1, rounds));
  // The id map is built on first lookup; the hot-swap path builds it before swapping.
  const a = readArtifact(v2);
  const t0 = performance.now();
  a.indexOf('sku-0');
  const idMapMs = performance.now() - t0;
  return {
    name: 'artifact',
    items,
    k,
    v2MiB: v2.byteLength / MiB,
    v1MiB: v1.byteLength / MiB,
    v2LoadMs: v2Ms,
    v1LoadMs: v1Ms,
    idMapMs,
    sizeRatio: v2.byteLength / v1.byteLength,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await runArtifact();
  console.log(
    `artifact ${r.items / 1000}k items × K=${r.k}: v2 ${fmt(r.v2MiB)} MiB (target ≤ 25), load median ${fmt(r.v2LoadMs)} ms (target < 100); ` +
      `v1 baseline ${fmt(r.v1MiB)} MiB, load ${fmt(r.v1LoadMs)} ms; size ratio v2/v1 ${fmt(r.sizeRatio)}; id map on first lookup ${fmt(r.idMapMs)} ms`,
  );
  console.log(`JSON:${JSON.stringify(r)}`);
}
