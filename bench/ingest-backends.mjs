// Event-log append throughput per backend, in batches of 100 events, each
// batch awaited before the next (as one node's ingest does). Prints the
// median events/s over several rounds and the ratio against SQLite (the
// default embedded log), measured in the same run.
//
//   npx tsx bench/ingest-backends.mjs [events-per-round=10000] [rounds=5]
// Needs Redis on 127.0.0.1:6379 and NATS with JetStream on 127.0.0.1:4222.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openRedis } from '../src/connections/redis.ts';
import { createJetStreamLog, dropJetStreamLog } from '../src/logs/jetstream.ts';
import { createRedisStreamsLog } from '../src/logs/redis-streams.ts';
import { createMemoryStore } from '../src/profiles/memory.ts';
import { createSqliteStore } from '../src/profiles/sqlite.ts';
import { fmt, median } from './lib/stats.mjs';

const EVENTS = Number(process.argv[2] ?? 10_000);
const ROUNDS = Number(process.argv[3] ?? 5);
const BATCH = 100;
const tag = `bench${Date.now().toString(36)}`;

function events(round) {
  return Array.from({ length: EVENTS }, (_, i) => ({
    id: `r${round}-e${i}`,
    type: 'view',
    ts: 1_700_000_000_000 + i,
    item: `sku-${i % 500}`,
    props: { category: `cat-${i % 20}` },
    visitor: `v${i % 1000}`,
    node: 'bench',
    received: 1_700_000_000_000 + i,
  }));
}

async function measure(log) {
  const rates = [];
  for (let round = 0; round < ROUNDS; round++) {
    const all = events(round);
    const t0 = performance.now();
    for (let i = 0; i < all.length; i += BATCH) {
      const added = await log.append(all.slice(i, i + BATCH));
      if (added.length !== Math.min(BATCH, all.length - i)) throw new Error(`${log.name}: lost events`);
    }
    rates.push(EVENTS / ((performance.now() - t0) / 1000));
  }
  const total = await log.count();
  if (total !== EVENTS * ROUNDS) throw new Error(`${log.name}: count ${total}, expected ${EVENTS * ROUNDS}`);
  return median(rates);
}

const backends = {
  memory: async () => {
    const s = createMemoryStore();
    return { log: s.events, done: () => s.close() };
  },
  sqlite: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
    const s = await createSqliteStore({ path: join(dir, 'log.db') });
    return {
      log: s.events,
      async done() {
        await s.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  'redis-streams': async () => {
    const prefix = `${tag}:`;
    const log = await createRedisStreamsLog({ prefix });
    return {
      log,
      done: async () => {
        await log.close();
        const admin = await openRedis();
        const keys = await admin.run('keys', (c) => c.call('KEYS', `${prefix}*`));
        for (let i = 0; i < keys.length; i += 1000)
          await admin.run('unlink', (c) => c.call('UNLINK', ...keys.slice(i, i + 1000)));
        await admin.close();
      },
    };
  },
  jetstream: async () => {
    const log = await createJetStreamLog({ prefix: tag });
    const done = async () => {
      await log.close();
      await dropJetStreamLog({ prefix: tag });
    };
    return { log, done };
  },
};

const results = {};
for (const [name, open] of Object.entries(backends)) {
  const { log, done } = await open();
  try {
    results[name] = await measure(log);
  } finally {
    await done();
  }
}
const baseline = results.sqlite;
console.log(`append, batches of ${BATCH}, ${EVENTS} events x ${ROUNDS} rounds (median events/s)`);
for (const [name, rate] of Object.entries(results)) {
  console.log(
    `${name.padEnd(14)} ${fmt(rate, 0).padStart(10)} events/s   x${fmt(rate / baseline)} vs sqlite`,
  );
}
