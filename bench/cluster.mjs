// Cluster benchmark (runs under tsx: `node --import tsx bench/cluster.mjs`, or
// `npm run bench -- --only=cluster`). Real `tessera serve` processes against
// the Redis and NATS of this machine:
//  1. ingest throughput, events/s, batches of 50 over HTTP, per backend
//     (sqlite; redis store + NATS bus + JetStream log); median of 3 rounds;
//  2. p99 page latency when every page needs a store read (visitors the node
//     has never cached, no digest cookie), with Redis healthy, slow (50 ms
//     injected by a TCP proxy) and down; median of 3 rounds, ratio to healthy.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SETTINGS } from '../src/core/config.ts';
import { createKeyRing, signId } from '../src/core/identity/index.ts';
import { dropJetStreamLog } from '../src/logs/jetstream.ts';
import { itemsOf, mintVisitor } from '../test/cluster/client.ts';
import { CLUSTER_SECRET, startNode, startProxy } from '../test/cluster/launcher.ts';

const ROUNDS = 3;
const INGEST_SECONDS = 3;
const CONCURRENCY = 8;
const BATCH = 50;
const PAGES = 400;
const PAGE_CONCURRENCY = 4;
const items = itemsOf('running').concat(itemsOf('hiking'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-cluster-'));
const prefix = `bench${Date.now().toString(36)}`;

async function ingestRound(url, visitors) {
  let events = 0;
  let seq = 0;
  const end = performance.now() + INGEST_SECONDS * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, lane) => {
      while (performance.now() < end) {
        const v = visitors[seq++ % visitors.length];
        const batch = Array.from({ length: BATCH }, (_, i) => ({
          id: `b${lane}-${seq}-${i}-${Math.random().toString(36).slice(2, 7)}`,
          type: 'click',
          ts: Date.now(),
          item: items[(seq + i) % items.length],
        }));
        const res = await fetch(`${url}/collect`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie: v.cookie },
          body: JSON.stringify({ events: batch }),
        });
        await res.arrayBuffer();
        if (res.status === 202) events += BATCH;
      }
    }),
  );
  return events / ((performance.now() - t0) / 1000);
}

async function ingest(name, spec) {
  const node = await startNode({ dataDir: join(dir, name), prefix, ...spec, id: `bench-${name}` });
  try {
    const visitors = [];
    for (let i = 0; i < 64; i++) visitors.push(await mintVisitor(node.url));
    await ingestRound(node.url, visitors); // warm-up
    const rates = [];
    for (let r = 0; r < ROUNDS; r++) rates.push(await ingestRound(node.url, visitors));
    return median(rates);
  } finally {
    await node.stop();
  }
}

/** Cookies of visitors no node has seen: every page must ask the store (or give up on it). */
async function freshVisitors(n) {
  const ring = createKeyRing(CLUSTER_SECRET);
  const out = [];
  for (let i = 0; i < n; i++) {
    const id = `bench-${crypto.randomUUID()}`;
    out.push(`tsr_consent=p1.a1; ${DEFAULT_SETTINGS.cookies.id}=${await signId(ring, id)}`);
  }
  return out;
}

async function pageRound(url) {
  const cookies = await freshVisitors(PAGES);
  const times = [];
  let next = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: PAGE_CONCURRENCY }, async () => {
      while (next < cookies.length) {
        const cookie = cookies[next++];
        const t0 = performance.now();
        const res = await fetch(`${url}/`, { headers: { cookie } });
        await res.arrayBuffer();
        times.push(performance.now() - t0);
        if (res.status !== 200) failed++;
      }
    }),
  );
  return { p99: pct(times, 0.99), median: median(times), failed };
}

async function pages() {
  const proxy = await startProxy(6379);
  const node = await startNode({
    id: 'bench-pages',
    dataDir: join(dir, 'pages'),
    store: `redis://127.0.0.1:${proxy.port}`,
    prefix,
  });
  const out = {};
  try {
    await pageRound(node.url); // warm-up
    for (const [name, set] of [
      ['healthy', () => proxy.delay(0)],
      ['slow', () => proxy.delay(50)],
      ['down', () => proxy.cut()],
    ]) {
      set();
      if (name === 'down') await new Promise((r) => setTimeout(r, 500));
      const rounds = [];
      for (let r = 0; r < ROUNDS; r++) rounds.push(await pageRound(node.url));
      out[name] = {
        p99Ms: median(rounds.map((r) => r.p99)),
        medianMs: median(rounds.map((r) => r.median)),
        failed: rounds.reduce((s, r) => s + r.failed, 0),
      };
    }
  } finally {
    await node.stop();
    await proxy.close();
  }
  return out;
}

const fmt = (x, d = 1) => x.toFixed(d);
try {
  const sqlite = await ingest('sqlite', { store: `sqlite:${join(dir, 'sqlite', 'tessera.db')}` });
  const shared = await ingest('shared', {
    store: 'redis://127.0.0.1:6379',
    bus: 'nats://127.0.0.1:4222',
    log: 'nats://127.0.0.1:4222',
  });
  console.log(
    `cluster ingest (batches of ${BATCH} over HTTP, ${CONCURRENCY} clients, median of ${ROUNDS}×${INGEST_SECONDS}s): sqlite ${fmt(sqlite, 0)} events/s; redis+nats ${fmt(shared, 0)} events/s, ratio ${fmt(shared / sqlite, 2)}`,
  );
  const p = await pages();
  console.log(
    `cluster page with a store read (${PAGES} fresh visitors, ${PAGE_CONCURRENCY} clients, budget ${DEFAULT_SETTINGS.storeBudgetMs} ms, median of ${ROUNDS}): p99 healthy ${fmt(p.healthy.p99Ms)} ms; slow (+50 ms) ${fmt(p.slow.p99Ms)} ms, ratio ${fmt(p.slow.p99Ms / p.healthy.p99Ms, 2)}; down ${fmt(p.down.p99Ms)} ms, ratio ${fmt(p.down.p99Ms / p.healthy.p99Ms, 2)}; non-200 pages ${p.healthy.failed + p.slow.failed + p.down.failed}`,
  );
  console.log(`JSON:${JSON.stringify({ ingest: { sqlite, redisNats: shared }, pages: p })}`);
} finally {
  await dropJetStreamLog({ servers: '127.0.0.1:4222', prefix }).catch(() => undefined);
  const { Redis } = await import('ioredis');
  const r = new Redis('redis://127.0.0.1:6379');
  const keys = await r.keys(`${prefix}:*`);
  if (keys.length) await r.del(...keys);
  await r.quit();
  rmSync(dir, { recursive: true, force: true });
}
