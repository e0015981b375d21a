// Online ranking latency as the catalog grows: generated artifacts of 10k,
// 100k and 1M items with K = 50, visitors with a 20-item history, ranked with
// every rule on (session window, MMR, fatigue, exploration, context lists).
// Cost must depend on history × K, not on catalog size: the 1M/10k ratio of
// medians should stay ≈ 1.
// Run: node --import tsx bench/online.mjs  (or node bench/run.mjs --only=online)
import { performance } from 'node:perf_hooks';
import { readArtifact } from '../src/core/recommend/artifact-read.ts';
import { writeArtifact } from '../src/core/recommend/artifact-write.ts';
import { recommend } from '../src/core/recommend/rank.ts';
import { denseNeighbours, generatedModel, seeded } from '../src/core/recommend/test-data.ts';
import { fmt, summarize } from './lib/stats.mjs';

const NOW = Date.UTC(2025, 5, 15, 9);
const CONTEXT = { device: 'mobile', localHour: 9, utm: {}, country: 'DE' };

function visitors(n, count, random) {
  return Array.from({ length: count }, (_, v) => ({
    id: `visitor-${v}`,
    profile: {
      v: 1,
      landmark: NOW,
      affinities: {},
      counts: {},
      recent: Array.from({ length: 20 }, (_, r) => ({
        item: `sku-${Math.floor(random() * n)}`,
        type: r % 5 === 0 ? 'add_to_cart' : 'view',
        at: { p: NOW - r * 90_000, l: 0, n: 'node-1' },
      })),
      traits: {},
      exposures: { [`item:sku-${v}`]: { 'node-1': 9 } },
      suppressions: {},
      seen: [],
    },
  }));
}

async function measure(n, { k = 50, samples = 20_000 } = {}) {
  const model = generatedModel(n, k, {
    sessionNext: { k: 20, neighbours: denseNeighbours(n, 20, 2) },
    contexts: { 'country:de': [1, 2, 3] },
  });
  const artifact = readArtifact(await writeArtifact(model));
  const people = visitors(n, 500, seeded(n));
  const run = (p) =>
    recommend({
      artifact,
      profile: p.profile,
      count: 10,
      now: NOW,
      halfLifeMs: 86_400_000,
      segments: [],
      context: CONTEXT,
      visitorId: p.id,
    });
  for (let i = 0; i < 5000; i++) run(people[i % people.length]); // JIT, id map
  globalThis.gc?.();
  if (run(people[0]).length !== 10) throw new Error('[tessera] [bench] ranking returned a short list');
  const us = new Float64Array(samples);
  for (let i = 0; i < samples; i++) {
    const p = people[i % people.length];
    const t0 = performance.now();
    run(p);
    us[i] = (performance.now() - t0) * 1000;
  }
  const s = summarize(us);
  return { items: n, medianUs: s.median, p99Us: s.p99, mib: artifact.byteLength / 1024 / 1024 };
}

export async function runOnline() {
  const sizes = [];
  for (const n of [10_000, 100_000, 1_000_000]) {
    sizes.push(await measure(n));
    globalThis.gc?.();
  }
  return { name: 'online', k: 50, history: 20, sizes, ratio1MTo10k: sizes[2].medianUs / sizes[0].medianUs };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await runOnline();
  for (const s of r.sizes) {
    console.log(
      `online ranking ${s.items / 1000}k items (K=50, 20-item history, ${fmt(s.mib, 1)} MiB artifact): median ${fmt(s.medianUs, 1)} µs, p99 ${fmt(s.p99Us, 1)} µs`,
    );
  }
  console.log(`online ranking ratio 1M/10k (medians): ${fmt(r.ratio1MTo10k)} (target ≈ 1, flat)`);
  console.log(`JSON:${JSON.stringify(r)}`);
}
