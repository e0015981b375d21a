// The demo shop Worker in workerd (Miniflare 3): CPU time per personalized
// request against the 10 ms free-plan limit, throughput as a ratio of a bare
// Worker returning the same bytes (body and headers; same run, same workerd),
// rotating over 200 consenting visitors with a history, and the
// gzipped bundle size.
//
// CPU method: workerd coarsens timers inside a Worker (performance.now only
// moves on I/O), and Miniflare 3 exposes no per-request CPU accounting, so
// CPU is read from outside: utime+stime of the workerd process
// (/proc/<pid>/stat, clock ticks) around batches of requests, divided by the
// batch size. Each workerd serves one Worker, so its CPU is that Worker's
// plus the runtime's HTTP work and Miniflare's entry worker; the bare Worker
// measured the same way is that overhead, and tessera − bare is what the
// handler itself costs (closest to what Cloudflare bills as CPU time).
// Median and p99 are over per-batch means, not single requests.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { buildWorker, importForNode } from '../scripts/build-worker.mjs';
import { runJson } from './lib/proc.mjs';
import { median, summarize } from './lib/stats.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const TICK_MS = 1000 / 100; // USER_HZ is 100 on Linux
/** Headers the runtime writes itself. */
const TRANSPORT_HEADERS = new Set([
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'date',
]);

function workerdPids() {
  const pids = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (stat.includes('(workerd)') && Number(fields[1]) === process.pid) pids.push(Number(name));
    } catch {}
  }
  return pids;
}

function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/**
 * workerd's output, passed on line by line, except its report of a client
 * that closed a connection while a response was being written: the load
 * generator closes its keep-alive sockets when a timed window ends, which
 * workerd reports as an error with a stack line, one pair per window.
 */
function forwardRuntimeOutput(stdout, stderr) {
  for (const [stream, sink] of [
    [stdout, process.stdout],
    [stderr, process.stderr],
  ]) {
    let skipStack = false;
    createInterface({ input: stream }).on('line', (line) => {
      if (/disconnected: .*Connection reset by peer/.test(line)) {
        skipStack = true;
        return;
      }
      if (skipStack && line.startsWith('stack: ')) {
        skipStack = false;
        return;
      }
      skipStack = false;
      sink.write(`${line}\n`);
    });
  }
}

async function startMiniflare(options) {
  const before = new Set(workerdPids());
  const mf = new Miniflare({
    compatibilityDate: '2024-09-23',
    host: '127.0.0.1',
    port: 0,
    modules: true,
    handleRuntimeStdio: forwardRuntimeOutput,
    ...options,
  });
  const url = (await mf.ready).href.replace(/\/$/, '');
  const pid = workerdPids().find((p) => !before.has(p));
  if (!pid) throw new Error('[tessera] [bench] could not find the workerd process');
  return { mf, url, pid };
}

function cookieHeader(jar) {
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
}

async function visit(jar, url, init = {}) {
  const res = await fetch(url, { ...init, headers: { ...init.headers, cookie: cookieHeader(jar) } });
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = pair.indexOf('=');
    if (/max-age=0/i.test(line)) jar.delete(pair.slice(0, eq));
    else jar.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  await res.arrayBuffer();
  return res;
}

/** Visitors with consent and three product views of one category each: personalized pages. */
async function makeVisitors(url, catalog, n) {
  const byCat = new Map();
  for (const p of catalog) if (p.in_stock) byCat.set(p.category, [...(byCat.get(p.category) ?? []), p.id]);
  const cats = [...byCat.keys()];
  const cookies = [];
  for (let v = 0; v < n; v++) {
    const jar = new Map();
    const events = [
      { id: `c${v}`, type: 'consent', ts: Date.now(), props: { personalization: true, analytics: true } },
    ];
    await visit(jar, `${url}/collect`, {
      method: 'POST',
      body: JSON.stringify({ events }),
      headers: { 'content-type': 'application/json' },
    });
    const items = byCat.get(cats[v % cats.length]);
    for (let i = 0; i < 3; i++) await visit(jar, `${url}/product/${items[(v + i) % items.length]}`);
    cookies.push(cookieHeader(jar));
  }
  return cookies;
}

async function cpuPerRequest(target, cookies, { batches, batchSize, concurrency }) {
  const perBatch = [];
  let next = 0;
  for (let b = 0; b < batches; b++) {
    const start = cpuMs(target.pid);
    let left = batchSize;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (left-- > 0) {
          const res = await fetch(`${target.url}/`, {
            headers: { cookie: cookies[next++ % cookies.length] },
          });
          await res.arrayBuffer();
        }
      }),
    );
    perBatch.push((cpuMs(target.pid) - start) / batchSize);
  }
  return summarize(perBatch);
}

export async function runWorker({
  visitors = 200,
  batches = 30,
  batchSize = 200,
  concurrency = 8,
  rounds = 3,
  seconds = 4,
  connections = 16,
} = {}) {
  const bundle = await buildWorker({ outfile: 'dist-worker/worker.js' });
  const { trainShopModel } = await importForNode(
    'examples/cloudflare/train-model.ts',
    'dist-worker/train-model.mjs',
  );
  const tessera = await startMiniflare({
    scriptPath: join(root, 'dist-worker/worker.js'),
    modulesRoot: join(root, 'dist-worker'),
    kvNamespaces: ['TESSERA_KV'],
    queueProducers: { TESSERA_EVENTS: 'tessera-events' },
    bindings: { TESSERA_SECRET: 'bench-secret-bench-secret-bench-secret', TESSERA_SECURE_COOKIES: 'false' },
  });
  const kv = await tessera.mf.getKVNamespace('TESSERA_KV');
  await kv.put('model/current.tsra', await trainShopModel(join(root, 'examples/shop')));
  const catalog = JSON.parse(readFileSync(join(root, 'examples/shop/catalog.json'), 'utf8'));
  const cookies = await makeVisitors(tessera.url, catalog, visitors);
  const sampleRes = await fetch(`${tessera.url}/`, { headers: { cookie: cookies[0] } });
  if (!sampleRes.headers.get('x-tessera-segments'))
    throw new Error(
      `[tessera] [bench] the sample page is not personalized: ${cookies[0]} ${JSON.stringify([...sampleRes.headers])}`,
    );
  const sample = await sampleRes.text();
  // The bare Worker sends the same bytes: the body and every header line Tessera sent.
  const sampleHeaders = [...sampleRes.headers].filter(([k]) => !TRANSPORT_HEADERS.has(k));

  const bare = await startMiniflare({
    script: `const html = ${JSON.stringify(sample)};
const headers = ${JSON.stringify(sampleHeaders)};
export default { fetch() { return new Response(html, { headers }); } };`,
  });
  const dir = mkdtempSync(join(tmpdir(), 'tessera-worker-bench-'));
  const cookiesPath = join(dir, 'cookies.json');
  writeFileSync(cookiesPath, JSON.stringify(cookies));
  const load = (url) =>
    runJson([join(here, 'lib/load.mjs'), `${url}/`, String(connections), String(seconds), cookiesPath]);
  try {
    const opts = { batches, batchSize, concurrency };
    await cpuPerRequest(tessera, cookies, { ...opts, batches: 2 }); // warm-up
    await cpuPerRequest(bare, cookies, { ...opts, batches: 2 });
    const cpuTessera = await cpuPerRequest(tessera, cookies, opts);
    const cpuBare = await cpuPerRequest(bare, cookies, opts);
    const t = [];
    const b = [];
    for (let i = 0; i < rounds; i++) {
      const rb = await load(bare.url);
      const rt = await load(tessera.url);
      if (rt.non2xx || rt.errors)
        throw new Error(`tessera answered ${rt.non2xx} non-2xx and ${rt.errors} errors`);
      b.push(rb.rps);
      t.push(rt.rps);
    }
    const tesseraRps = median(t);
    const bareRps = median(b);
    return {
      bytes: Buffer.byteLength(sample),
      bundleBytes: bundle.bytes,
      bundleGzipBytes: bundle.gzipBytes,
      cpu: {
        tesseraMedianMs: cpuTessera.median,
        tesseraP99Ms: cpuTessera.p99,
        bareMedianMs: cpuBare.median,
        bareP99Ms: cpuBare.p99,
        netMedianMs: cpuTessera.median - cpuBare.median,
        batches,
        batchSize,
      },
      tesseraRps,
      bareRps,
      ratio: tesseraRps / bareRps,
      connections,
      rounds,
      seconds,
    };
  } finally {
    await tessera.mf.dispose();
    await bare.mf.dispose();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url))
  console.log(JSON.stringify(await runWorker(), null, 2));
