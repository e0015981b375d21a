// Training speed of the recommendation algorithms on generated data with
// known structure: EASE beside item-kNN on a MovieLens-100k-sized set
// (943 users, 1,700 items, ~100k interactions), and item-kNN on 1M
// interactions over 100,000 items. Medians of a few runs.
// Run: npx tsx bench/train.mjs (imports the TypeScript sources); prints
// human lines, then one `JSON:` line for bench/run.mjs (--only=train).
import { performance } from 'node:perf_hooks';
import { clusteredInteractions, EaseModel, ItemKnnModel } from '../src/train/algorithms/index.ts';
import { fmt, median } from './lib/stats.mjs';

function timeFit(make, data, runs) {
  const ms = [];
  for (let r = 0; r < runs; r++) {
    const m = make();
    const t0 = performance.now();
    m.fit(data);
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

export function runTrain({ runs = 3 } = {}) {
  const ml = clusteredInteractions({ users: 943, items: 1700, clusters: 20, perUser: 106, seed: 1 });
  const easeMs = timeFit(() => new EaseModel(250, 'auto'), ml, runs);
  const easeItemsMs = timeFit(() => new EaseModel(250, 'items'), ml, runs);
  const knnMs = timeFit(() => new ItemKnnModel(), ml, runs);
  const big = clusteredInteractions({ users: 100_000, items: 100_000, clusters: 200, perUser: 10, seed: 2 });
  const bigKnnMs = timeFit(() => new ItemKnnModel({ neighbourhood: 50 }), big, runs);
  return {
    name: 'train',
    interactions: ml.col.length,
    items: ml.itemIds.length,
    users: ml.userIds.length,
    easeMs,
    easeItemsMs,
    knnMs,
    ratio: easeMs / knnMs,
    bigInteractions: big.col.length,
    bigItems: big.itemIds.length,
    bigKnnMs,
    runs,
  };
}

export function describeTrain(t) {
  return [
    `train EASE (${t.interactions} interactions, ${t.items} items, ${t.users} users, median of ${t.runs}): ${fmt(t.easeMs / 1000)} s (target < 3 s; Woodbury user-space solve), ${fmt(t.easeItemsMs / 1000)} s via the ${t.items}×${t.items} item Gram`,
    `train item-kNN on the same data: ${fmt(t.knnMs / 1000)} s; EASE / item-kNN ratio ${fmt(t.ratio, 1)}×`,
    `train item-kNN (${t.bigInteractions} interactions, ${t.bigItems} items, 50 neighbours): ${fmt(t.bigKnnMs / 1000)} s`,
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const t = runTrain();
  for (const line of describeTrain(t)) console.log(line);
  console.log(`JSON:${JSON.stringify(t)}`);
}
