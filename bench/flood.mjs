// `node --import tsx bench/flood.mjs` (or `npm run bench -- --only=flood`):
// three processes on loopback. A Tessera node (memory store, default limits),
// a flooder (autocannon, bounded duration) throwing junk at /collect —
// malformed JSON, oversized bodies, invalid events — with random forged
// cookies, no cookie, or one real visitor id it got from a page load, and
// this process, a normal visitor browsing pages with a real cookie. Prints
// the visitor's page p99 and median quiet vs under flood (same run), the p99
// ratio (target ≤ 2), and the junk requests' status counts (target: all
// 4xx/429, no 5xx, mostly 429). Everything shares one loopback address, as a
// flood behind a NAT would: the per-IP limits meet it.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, summarize } from './lib/stats.mjs';

const QUIET_SECONDS = 6;
const FLOOD_SECONDS = 10;
const FLOOD_CONNECTIONS = 32;
const self = fileURLToPath(import.meta.url);
const role = process.argv[2];

if (role === '--server') await server();
else if (role === '--flooder') await flooder(process.argv[3]);
else await main();

async function server() {
  const { createNodeApp } = await import('../src/runtimes/node/app.ts');
  const { consoleLogger } = await import('../src/runtimes/node/logger.ts');
  const dir = mkdtempSync(join(tmpdir(), 'tessera-flood-'));
  const app = await createNodeApp({
    dataDir: dir,
    store: 'memory:',
    secret: 'flood-bench-secret-flood-bench-secret-00',
    consentMode: 'opt-out',
    retrainMs: 0,
    modelPollMs: 0,
    trainIfEmpty: false,
    logger: consoleLogger('error'),
  });
  const port = await app.listen(0);
  process.send?.({ port });
  process.on('message', async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
}

async function flooder(url) {
  const { default: autocannon } = await import('autocannon');
  // One real id, as a flooder gets by loading a page: its own bucket stops it.
  const page = await fetch(`${url}/`);
  await page.arrayBuffer();
  const realId = page.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .find((c) => c.startsWith('tsr_id='));
  const cookies = [
    () => `tsr_id=${Math.random().toString(36).slice(2)}.forged`,
    () => undefined,
    () => realId,
  ];
  const junk = [
    '{"events":[',
    'not json at all',
    JSON.stringify({ events: [{ id: '', type: 'nope', ts: 'x' }, { __proto__: { a: 1 } }] }),
    JSON.stringify({ events: Array.from({ length: 500 }, (_, i) => ({ id: `e${i}` })) }),
    `{"events":[{"id":"${'x'.repeat(70_000)}"}]}`, // over the 64 KiB body limit
    JSON.stringify({ notEvents: true }),
  ];
  let n = 0;
  const requests = junk.map((body) => ({
    method: 'POST',
    path: '/collect',
    headers: { 'content-type': 'application/json' },
    body,
    setupRequest(req) {
      const cookie = cookies[n++ % cookies.length]();
      req.headers = { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) };
      return req;
    },
  }));
  const result = await autocannon({ url, connections: FLOOD_CONNECTIONS, duration: FLOOD_SECONDS, requests });
  const statuses = {};
  for (const [code, s] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = s.count;
  process.send?.({ requests: result.requests.total, errors: result.errors, statuses });
}

async function browse(base, cookie, paths, seconds) {
  const samples = [];
  const end = performance.now() + seconds * 1000;
  for (let i = 0; performance.now() < end; i++) {
    const t0 = performance.now();
    const res = await fetch(base + paths[i % paths.length], { headers: { cookie } });
    await res.arrayBuffer();
    samples.push(performance.now() - t0);
    if (res.status >= 500) throw new Error(`[tessera] [bench] the visitor got ${res.status}`);
  }
  return summarize(samples);
}

function once(child) {
  return new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`[tessera] [bench] child exited with ${code}`)));
  });
}

async function main() {
  const srv = fork(self, ['--server'], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  try {
    const { port } = await once(srv);
    const base = `http://127.0.0.1:${port}`;
    const first = await fetch(`${base}/`);
    await first.arrayBuffer();
    const cookie = first.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const paths = ['/', '/category/running', '/category/outdoor', '/nope'];
    await browse(base, cookie, paths, 1); // warm-up
    const quiet = await browse(base, cookie, paths, QUIET_SECONDS);
    const flood = fork(self, ['--flooder', base], { stdio: 'inherit' });
    const floodDone = once(flood);
    await new Promise((r) => setTimeout(r, 500)); // let the flood ramp up
    const loud = await browse(base, cookie, paths, FLOOD_SECONDS - 1.5);
    const junk = await floodDone;
    const ratio = loud.p99 / quiet.p99;
    const bad = Object.entries(junk.statuses).filter(([c]) => Number(c) >= 500 || Number(c) < 400);
    const r = {
      quietP99Ms: quiet.p99,
      floodP99Ms: loud.p99,
      quietMedianMs: quiet.median,
      floodMedianMs: loud.median,
      ratio,
      visitorRequests: { quiet: quiet.n, flood: loud.n },
      junk,
    };
    console.log(
      `flood: visitor page p99 quiet ${fmt(quiet.p99)} ms (median ${fmt(quiet.median)}, ${quiet.n} pages) vs under flood ${fmt(loud.p99)} ms (median ${fmt(loud.median)}, ${loud.n} pages), ratio ${fmt(ratio)}× (target ≤ 2)`,
    );
    const throttled = (junk.statuses[429] ?? 0) / Math.max(1, junk.requests);
    r.junkThrottledShare = throttled;
    console.log(
      `flood: ${fmt(throttled * 100, 1)}% of the junk got 429; ${junk.requests} junk requests in ${FLOOD_SECONDS} s (${fmt(junk.requests / FLOOD_SECONDS, 0)}/s, ${junk.errors} socket errors), statuses ${JSON.stringify(junk.statuses)}; non-4xx: ${bad.length ? JSON.stringify(Object.fromEntries(bad)) : 'none'} (target: none)`,
    );
    console.log(`JSON:${JSON.stringify(r)}`);
  } finally {
    srv.send('close');
  }
}
