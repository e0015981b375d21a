// Page latency while the model is retrained and swapped (issue 13, item 4):
// the demo shop on the Node runtime (SQLite store) with 300,000 events in its log, paced
// load (autocannon in its own process at a fixed rate, personalized pages of
// consenting visitors); p99 of a steady window against the p99 of a window
// in which a full retrain runs in a worker thread and its model is swapped
// in. Rounds alternate steady and retrain windows; the ratio is of medians
// over rounds. A retrain on the main thread is measured once for contrast.
// Target: retrain-and-swap p99 ≤ 1.2 × steady p99.
// Run: node --import tsx --expose-gc bench/swap.mjs  (or node bench/run.mjs --only=swap)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { storesOf } from '../src/core/engine-ports.ts';
import { createNodeApp } from '../src/runtimes/node/app.ts';
import { consoleLogger } from '../src/runtimes/node/logger.ts';
import { fmt, median } from './lib/stats.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const EVENTS = Number(process.env.SWAP_BENCH_EVENTS ?? 300_000);
const RATE = Number(process.env.SWAP_BENCH_RATE ?? 200);
const ROUNDS = Number(process.env.SWAP_BENCH_ROUNDS ?? 3);

function load(url, seconds, file) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(here, 'lib/paced-load.mjs'), url, String(RATE), String(seconds), file],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out.trim())) : reject(new Error(`load exited ${code}`)),
    );
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const dir = mkdtempSync(join(tmpdir(), 'tessera-swap-bench-'));
const app = await createNodeApp({
  dataDir: dir,
  // The default store of `tessera serve`: the log on disk, not in the heap.
  store: `sqlite:${join(dir, 'tessera.db')}`,
  secret: 'swap-bench-secret-swap-bench-secret-0000',
  retrainMs: 0,
  modelPollMs: 0,
  trainIfEmpty: false,
  logger: consoleLogger('error'),
  limits: { perIp: { rate: 1e6, burst: 1e6 } },
});
try {
  const port = await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  const catalog = [...app.engine.catalog.keys()];
  // A log of shopping sessions: each visitor browses a few items, mostly of one category.
  const byCategory = new Map();
  for (const item of app.engine.catalog.values()) {
    const list = byCategory.get(item.category) ?? [];
    list.push(item.id);
    byCategory.set(item.category, list);
  }
  const categories = [...byCategory.values()];
  let seed = 7;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const t0 = Date.now() - 86_400_000;
  const events = [];
  for (let v = 0; events.length < EVENTS; v++) {
    const cat = categories[Math.floor(rnd() * categories.length)];
    for (let j = 0; j < 10; j++) {
      const pool = rnd() < 0.8 ? cat : catalog;
      const item = pool[Math.floor(rnd() * pool.length)];
      const ts = t0 + v * 1000 + j * 20_000;
      events.push({
        id: `b${v}-${j}`,
        type: j % 7 === 6 ? 'add_to_cart' : 'view',
        item,
        ts,
        visitor: `bench-${v}`,
        node: 'node-1',
        received: ts,
      });
    }
  }
  await storesOf(app.engine).events.append(events);
  await app.train();
  // Consenting visitors with a history, as pages see them.
  const cookies = [];
  for (let i = 0; i < 100; i++) {
    const jar = new Map();
    const keep = (res) => {
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const eq = pair.indexOf('=');
        jar.set(pair.slice(0, eq), pair.slice(eq + 1));
      }
    };
    const header = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    keep(
      await fetch(`${url}/collect`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          events: [
            { id: 'c', type: 'consent', ts: Date.now(), props: { personalization: true, analytics: true } },
          ],
        }),
      }),
    );
    for (let j = 0; j < 3; j++) {
      const r = await fetch(`${url}/product/${catalog[(i * 7 + j * 13) % catalog.length]}`, {
        headers: { cookie: header() },
      });
      await r.arrayBuffer();
      keep(r);
    }
    cookies.push(header());
  }
  const file = join(dir, 'load.json');
  writeFileSync(
    file,
    JSON.stringify({ cookies, paths: ['/', ...catalog.slice(0, 50).map((id) => `/product/${id}`)] }),
  );

  // How long a retrain takes, to size the windows.
  const t = performance.now();
  await app.train({ worker: true });
  const trainMs = performance.now() - t;
  const seconds = Math.max(6, Math.ceil((trainMs * 1.5) / 1000) + 3);
  await load(url, 3, file); // warm-up

  async function retrainWindow(worker) {
    const running = load(url, seconds, file);
    await sleep(1000);
    const s = performance.now();
    const r = await app.train({ worker });
    const ms = performance.now() - s;
    return { ...(await running), trainMs: ms, version: r.version };
  }

  const steady = [];
  const swap = [];
  for (let round = 0; round < ROUNDS; round++) {
    globalThis.gc?.();
    steady.push(await load(url, seconds, file));
    globalThis.gc?.();
    swap.push(await retrainWindow(true));
  }
  globalThis.gc?.();
  const inThread = await retrainWindow(false);
  const steadyP99 = median(steady.map((s) => s.p99));
  const swapP99 = median(swap.map((s) => s.p99));
  const result = {
    events: EVENTS,
    rate: RATE,
    seconds,
    rounds: ROUNDS,
    retrainMs: median(swap.map((s) => s.trainMs)),
    steadyP99,
    swapP99,
    ratio: swapP99 / steadyP99,
    steadyP50: median(steady.map((s) => s.p50)),
    swapP50: median(swap.map((s) => s.p50)),
    inThreadP99: inThread.p99,
    inThreadRatio: inThread.p99 / steadyP99,
    inThreadTrainMs: inThread.trainMs,
    perRound: { steady: steady.map((s) => s.p99), swap: swap.map((s) => s.p99) },
    errors: [...steady, ...swap, inThread].reduce((n, s) => n + s.errors + s.non2xx, 0),
  };
  console.log(
    `retrain + swap (demo shop, ${EVENTS} events, ${RATE} pages/s paced, ${ROUNDS} rounds × ${seconds} s): page p99 steady ${fmt(steadyP99, 1)} ms, during a worker-thread retrain (${fmt(result.retrainMs / 1000, 1)} s) and swap ${fmt(swapP99, 1)} ms, ratio ${fmt(result.ratio)} (target ≤ 1.2); p50 ${fmt(result.steadyP50, 1)} vs ${fmt(result.swapP50, 1)} ms; for contrast, the same retrain on the main thread: p99 ${fmt(inThread.p99, 1)} ms (${fmt(result.inThreadRatio)}×); errors ${result.errors}`,
  );
  console.log(`JSON:${JSON.stringify(result)}`);
} finally {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
}
