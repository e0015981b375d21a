/**
 * How long a round takes to close across three nodes at MovieLens-100k size
 * (1,682 items × dim 16), on the real Redis or NATS bus: from the last
 * partial published to every node having the round materialized and its
 * version registered (which includes writing the artifact: cosine
 * neighbours over the table, O(items² · dim)); and, apart, until every node
 * has the round materialized (closed, noise added, table updated). Partials are synthetic
 * clipped sums (the secure-aggregation side is measured by the simulator).
 *
 *   npx tsx scripts/federated-round-timing.ts redis|nats [rounds]
 */
import { createNatsBus } from '../src/bus/nats.js';
import { createRedisBus } from '../src/bus/redis.js';
import type { Bus } from '../src/core/ports.js';
import { noiseMultiplierFor } from '../src/federated/accountant.js';
import { FederationNode } from '../src/federated/federation.js';
import { encodeClosing, encodePartial } from '../src/federated/partials.js';
import { fixedPointScale, quantize } from '../src/federated/secure-agg.js';
import { createMemoryModelStore } from '../src/models/memory.js';
import { createRng } from '../src/train/rng.js';

const [which = 'redis', roundsArg = '5'] = process.argv.slice(2);
const rounds = Number(roundsArg);
const N = 1682;
const DIM = 16;
const PER_NODE = 300;
const ids = ['node-a', 'node-b', 'node-c'];
const prefix = `timing${Date.now().toString(36)}`;
const buses: Bus[] = await Promise.all(
  ids.map(() =>
    which === 'nats'
      ? createNatsBus({ servers: '127.0.0.1:4222', prefix })
      : createRedisBus({ url: 'redis://127.0.0.1:6379', prefix: `${prefix}:` }),
  ),
);
const scale = fixedPointScale(1, 3 * PER_NODE);
const rng = createRng(1);
const catalog = Array.from({ length: N }, (_, i) => ({
  id: `i${i}`,
  category: 'c',
  brand: 'b',
  tags: [],
  in_stock: true,
}));
const initial = Float32Array.from({ length: N * DIM }, () => (rng() - 0.5) * 0.2);
const nodes = await Promise.all(
  ids.map((node, i) =>
    FederationNode.start({
      node,
      members: ids,
      bus: buses[i]!,
      models: createMemoryModelStore(),
      catalog,
      dim: DIM,
      initial,
      clip: 1,
      scale,
      clientsPerRound: 3 * PER_NODE,
      minClients: 2 * PER_NODE,
      z: noiseMultiplierFor(8, 1e-5, rounds),
      delta: 1e-5,
      budget: 8,
      tickMs: 10,
    }),
  ),
);
/** A partial of PER_NODE clients, each update of norm 0.5 in a random direction. */
function partial(): Uint32Array {
  const sum = new Float64Array(N * DIM);
  const u = new Float64Array(N * DIM);
  for (let c = 0; c < PER_NODE; c++) {
    let s = 0;
    for (let q = 0; q < u.length; q++) {
      u[q] = rng() - 0.5;
      s += u[q]! ** 2;
    }
    for (let q = 0; q < u.length; q++) sum[q]! += (0.5 * u[q]!) / Math.sqrt(s);
  }
  return quantize(sum, scale);
}
const times: number[] = [];
const closeTimes: number[] = [];
for (let t = 0; t < rounds; t++) {
  const parts = ids.map(() => partial());
  const t0 = performance.now();
  await Promise.all(nodes.map((n, i) => n.contribute(t, parts[i]!, PER_NODE)));
  while (!nodes.every((n) => n.round > t)) await new Promise((r) => setTimeout(r, 2));
  closeTimes.push(performance.now() - t0);
  for (;;) {
    const v = await Promise.all(nodes.map((n) => n.version()));
    if (v.every((x) => x?.round === t)) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  times.push(performance.now() - t0);
}
const median = (xs: number[]) => Math.round(xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!);
const closing = nodes[0]!.closingOf(rounds - 1)!;
console.log(
  JSON.stringify({
    bus: which,
    items: N,
    dim: DIM,
    clients_per_round: 3 * PER_NODE,
    rounds,
    round_ms: times.map((x) => Math.round(x)),
    median_ms: median(times),
    median_closed_ms: median(closeTimes),
    partial_bytes: encodePartial({
      round: 0,
      node: 'node-a',
      clients: PER_NODE,
      sum: new Uint32Array(N * DIM),
    }).length,
    closing_bytes: encodeClosing(closing).length,
    epsilon: nodes.map((n) => n.epsilon),
  }),
);
await Promise.all(nodes.map((n) => n.stop()));
await Promise.all(buses.map((b) => b.close()));
