// The page path with OpenTelemetry tracing off and on, in one process: two
// engines on the demo shop, the same visitors, measured in alternating
// blocks so both see the same machine. "on" is the Node SDK as `tessera
// serve --otlp-endpoint` sets it up (batch span processor, OTLP/HTTP JSON
// exporter) sending to a loopback sink that discards, so the export's cost
// (serialisation, the POSTs) lands in this process and in the numbers; the
// sink is another process, so receiving does not.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { startNodeTracing } from '../dist/observe/otlp-node.js';
import { demoEngine, requestFor } from './lib/demo-engine.mjs';
import { median, summarize } from './lib/stats.mjs';

/** The collector: a child process that counts and discards, so receiving costs this process nothing. */
const SINK = `
const server = require('node:http').createServer((req, res) => {
  let n = 0;
  req.on('data', (c) => { n += c.length; });
  req.on('end', () => { process.send?.({ bytes: n }); res.writeHead(200, { 'content-type': 'application/json' }).end('{}'); });
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
`;

async function sink() {
  const child = spawn(process.execPath, ['-e', SINK], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let bytes = 0;
  const port = await new Promise((resolve) =>
    child.on('message', (m) => {
      if (m.port) resolve(m.port);
      if (m.bytes) bytes += m.bytes;
    }),
  );
  return { url: `http://127.0.0.1:${port}`, bytes: () => bytes, close: () => child.kill() };
}

const YIELD_EVERY = 32;
const turn = () => new Promise((r) => setImmediate(r));

/**
 * `n` requests, one at a time, the event loop turning every YIELD_EVERY (as a
 * server's would between sockets), so the batch processor's exports run
 * inside the block. Per-request times go to `out`; returns the block's wall
 * time per request, exports included (µs).
 */
async function timeBlock(engine, reqs, n, out, offset) {
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const r = reqs[(offset + i) % reqs.length];
    const t0 = performance.now();
    await engine.handle(r);
    out.push((performance.now() - t0) * 1000);
    if (i % YIELD_EVERY === YIELD_EVERY - 1) await turn();
  }
  return ((performance.now() - start) * 1000) / n;
}

export async function runTracing({ rounds = 7, perBlock = 5_000 } = {}) {
  const s = await sink();
  const tracing = startNodeTracing({ endpoint: s.url, nodeId: 'bench', scheduledDelayMillis: 200 });
  const off = await demoEngine({ visitors: 300, views: 3 });
  const on = await demoEngine({ visitors: 300, views: 3, ports: { tracer: tracing.tracer } });
  const reqsOff = off.people.map((p) => requestFor('/', p.cookie));
  const reqsOn = on.people.map((p) => requestFor('/', p.cookie));
  // Warm up both: JIT, shells, memoised signatures.
  await timeBlock(off.engine, reqsOff, 10_000, [], 0);
  await timeBlock(on.engine, reqsOn, 10_000, [], 0);
  await tracing.flush();
  const offSamples = [];
  const onSamples = [];
  const ratios = [];
  const wallOff = [];
  const wallOn = [];
  for (let round = 0; round < rounds; round++) {
    const a = [];
    const b = [];
    // Alternate which goes first, so neither always follows a GC of the other's garbage.
    // Each block starts with nothing left to export from the one before.
    const blockOff = async () => {
      await tracing.flush();
      wallOff.push(await timeBlock(off.engine, reqsOff, perBlock, a, round * perBlock));
    };
    const blockOn = async () => {
      await tracing.flush();
      wallOn.push(await timeBlock(on.engine, reqsOn, perBlock, b, round * perBlock));
    };
    if (round % 2 === 0) {
      await blockOff();
      await blockOn();
    } else {
      await blockOn();
      await blockOff();
    }
    offSamples.push(...a);
    onSamples.push(...b);
    ratios.push(median(b) / median(a));
    await tracing.flush();
  }
  await tracing.shutdown();
  s.close();
  const so = summarize(offSamples);
  const sn = summarize(onSamples);
  return {
    name: 'tracing',
    n: so.n,
    offMedianUs: so.median,
    offP99Us: so.p99,
    onMedianUs: sn.median,
    onP99Us: sn.p99,
    ratio: median(ratios),
    ratios,
    // Wall time per request over a block, the exports included.
    wallOffUs: median(wallOff),
    wallOnUs: median(wallOn),
    wallRatio: median(wallOn.map((w, i) => w / wallOff[i])),
    exportedBytes: s.bytes(),
  };
}
